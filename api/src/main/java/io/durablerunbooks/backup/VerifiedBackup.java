package io.durablerunbooks.backup;

/** @param method how it was verified: {@code sha256-read-back} or {@code size} */
public record VerifiedBackup(String key, long storedBytes, String sha256, String method, long durationMillis) {}
