package io.durablerunbooks.backup;

import io.durablerunbooks.definition.RunbookDefinition;
import io.durablerunbooks.postgres.PostgresConnection;
import io.durablerunbooks.runbook.RunbookHeader;
import io.durablerunbooks.storage.StorageLocation;

/** A validated {@code kind: backup} runbook file. */
public record BackupSpec(
    RunbookHeader header,
    PostgresConnection database,
    StorageLocation storage,
    BackupOptions options,
    RetentionPolicy retention)
    implements RunbookDefinition {

  /** Where this runbook's backups live: {@code <prefix>/<name>/}. */
  public String backupsPrefix() {
    return storage.key(header.name()) + "/";
  }
}
