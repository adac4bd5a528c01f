package io.durablerunbooks.backup;

import java.time.Instant;

/**
 * The JSON stored next to each backup object ({@code <key>.manifest.json}). A backup without a
 * manifest is not a backup: restore and retention only trust objects that have one.
 */
public record BackupManifest(
    int formatVersion,
    String runbook,
    String environment,
    String workflowId,
    String runId,
    String bucket,
    String key,
    String database,
    String serverVersion,
    String pgDumpVersion,
    String compression,
    int compressionLevel,
    long dumpBytes,
    long storedBytes,
    String sha256,
    boolean verified,
    String verification,
    Instant startedAt,
    Instant finishedAt,
    long durationMillis) {

  public static final int FORMAT_VERSION = 1;
  public static final String SUFFIX = ".manifest.json";

  public static String manifestKey(String objectKey) {
    return objectKey + SUFFIX;
  }
}
