package io.durablerunbooks.restore;

import io.durablerunbooks.backup.BackupManifest;
import io.durablerunbooks.storage.StorageLocation;

public record ChecksumRequest(StorageLocation storage, BackupManifest manifest) {}
