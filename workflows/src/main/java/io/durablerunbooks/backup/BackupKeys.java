package io.durablerunbooks.backup;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Object keys of backups: {@code <prefix>/<name>/<yyyy>/<mm>/<dd>/<name>-<yyyymmddThhmmssZ>-<run>.dump.<ext>}.
 * Sorted by time within a runbook, and unique per run, so a scheduled run and a manual one in the
 * same second never write the same key.
 */
public final class BackupKeys {

  private static final DateTimeFormatter DAY =
      DateTimeFormatter.ofPattern("yyyy/MM/dd").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private BackupKeys() {}

  /**
   * Eight hex digits that tell runs apart. Taken from the end of the run id: servers issue UUIDv7
   * run ids, whose leading digits are a timestamp shared by runs started close together.
   */
  public static String runTag(String runId) {
    String hex = runId.replace("-", "");
    return hex.length() > 8 ? hex.substring(hex.length() - 8) : hex;
  }

  static String objectKey(BackupSpec spec, Instant at, String runId) {
    String name = spec.header().name();
    String run = runTag(runId);
    return spec.backupsPrefix()
        + DAY.format(at)
        + "/"
        + name
        + "-"
        + STAMP.format(at)
        + "-"
        + run
        + ".dump."
        + spec.options().compression().extension();
  }
}
