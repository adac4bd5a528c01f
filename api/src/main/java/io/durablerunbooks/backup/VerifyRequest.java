package io.durablerunbooks.backup;

import io.durablerunbooks.storage.StorageLocation;

public record VerifyRequest(
    StorageLocation storage, String key, long expectedBytes, String expectedSha256, boolean readBack) {}
