package io.durablerunbooks.restore;

/** @param sha256 of the bytes read from S3 during the restore, equal to the manifest's */
public record RestoredDatabase(
    String database, int tables, long restoredBytes, String sha256, long durationMillis) {}
