package io.durablerunbooks.backup;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Object keys of backups: {@code <prefix>/<name>/<yyyy>/<mm>/<dd>/<name>-<yyyymmddThhmmssZ>-<run>.dump.<ext>}.
 * Sorted by time within a runbook, and unique per run, so a scheduled run and a manual one in the
 * same second never write the same key.
 */
final class BackupKeys {

  private static final DateTimeFormatter DAY =
      DateTimeFormatter.ofPattern("yyyy/MM/dd").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private BackupKeys() {}

  static String objectKey(BackupSpec spec, Instant at, String runId) {
    String name = spec.header().name();
    String run = runId.length() > 8 ? runId.substring(0, 8) : runId;
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
