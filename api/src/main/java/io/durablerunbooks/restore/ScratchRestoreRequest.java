package io.durablerunbooks.restore;

import io.durablerunbooks.backup.BackupManifest;
import io.durablerunbooks.postgres.PostgresConnection;
import io.durablerunbooks.storage.StorageLocation;

/**
 * Restore a backup into a fresh database on the target's server, never into the target itself.
 *
 * @param scratchDatabase created by the step (dropped first if an earlier attempt left it)
 */
public record ScratchRestoreRequest(
    StorageLocation storage,
    BackupManifest manifest,
    PostgresConnection target,
    String scratchDatabase) {}
