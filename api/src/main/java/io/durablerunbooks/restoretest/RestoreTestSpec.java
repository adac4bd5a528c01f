package io.durablerunbooks.restoretest;

import io.durablerunbooks.backup.BackupSpec;
import io.durablerunbooks.definition.RunbookDefinition;
import io.durablerunbooks.restore.RestoreSpec;
import io.durablerunbooks.runbook.RunbookHeader;

/**
 * A validated {@code kind: restore-test}: take a backup (or use the newest one), restore it into a
 * non-production database, run the smoke checks. Proves the backups are usable.
 *
 * @param takeBackup run a fresh backup first; when false, restore the newest verified one
 */
public record RestoreTestSpec(
    RunbookHeader header, boolean takeBackup, BackupSpec backup, RestoreSpec restore)
    implements RunbookDefinition {}
