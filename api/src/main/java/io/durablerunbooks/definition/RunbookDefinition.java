package io.durablerunbooks.definition;

import io.durablerunbooks.runbook.RunbookHeader;

/**
 * A runbook file after validation: typed, complete, immutable. Implemented by the spec record of
 * each kind (BackupSpec, RestoreSpec, RestoreTestSpec, DeploySpec, RollbackSpec, RolloutSpec).
 */
public interface RunbookDefinition {

  RunbookHeader header();
}
