package io.durablerunbooks.backup;

/**
 * @param readBackVerify re-read the stored object and compare its SHA-256 (S3's multipart ETag is
 *     a checksum of parts, not of the file); when false only the stored size is checked
 * @param partSizeBytes multipart part size; S3 needs at least 5 MiB and at most 10,000 parts
 */
public record BackupOptions(
    Compression compression, int level, boolean readBackVerify, long partSizeBytes) {

  public static final long MIN_PART_SIZE = 5L * 1024 * 1024;
  public static final long DEFAULT_PART_SIZE = 16L * 1024 * 1024;
}
