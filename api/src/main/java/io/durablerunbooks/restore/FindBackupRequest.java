package io.durablerunbooks.restore;

import io.durablerunbooks.storage.StorageLocation;

/** @param keyOrLatest an object key, or {@code latest} for the newest verified backup */
public record FindBackupRequest(StorageLocation storage, String backupsPrefix, String keyOrLatest) {}
