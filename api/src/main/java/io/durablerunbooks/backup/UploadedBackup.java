package io.durablerunbooks.backup;

/**
 * @param dumpBytes bytes pg_dump wrote (before compression)
 * @param storedBytes bytes stored in S3 (after compression)
 * @param sha256 hex SHA-256 of the stored bytes
 */
public record UploadedBackup(
    String key,
    long dumpBytes,
    long storedBytes,
    String sha256,
    int parts,
    long durationMillis,
    String pgDumpVersion) {}
