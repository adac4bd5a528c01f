package io.durablerunbooks.restore;

import io.durablerunbooks.definition.RunbookDefinition;
import io.durablerunbooks.postgres.PostgresConnection;
import io.durablerunbooks.runbook.RunbookHeader;
import io.durablerunbooks.storage.StorageLocation;

/**
 * A validated {@code kind: restore} runbook file.
 *
 * @param backupRunbook the name of the backup runbook whose backups to look in
 * @param backupKey {@code latest} for the newest verified backup, or an object key
 * @param unlockProduction a production target is refused unless this is set (and a GO is given)
 * @param keepPrevious keep the replaced database, renamed, instead of dropping it
 */
public record RestoreSpec(
    RunbookHeader header,
    StorageLocation storage,
    String backupRunbook,
    String backupKey,
    PostgresConnection target,
    boolean unlockProduction,
    boolean keepPrevious,
    SmokeSpec smoke)
    implements RunbookDefinition {

  public static final String LATEST = "latest";

  public String backupsPrefix() {
    return storage.key(backupRunbook) + "/";
  }

  public RestoreSpec withBackupKey(String key) {
    return new RestoreSpec(
        header, storage, backupRunbook, key, target, unlockProduction, keepPrevious, smoke);
  }
}
