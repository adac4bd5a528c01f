package io.durablerunbooks.backup;

import io.durablerunbooks.postgres.PostgresConnection;
import io.durablerunbooks.storage.StorageLocation;

/** One streaming dump to one object key; the key is fixed before the first attempt. */
public record DumpRequest(
    PostgresConnection database, StorageLocation storage, String objectKey, BackupOptions options) {}
