package io.durablerunbooks.runbook;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The kinds of runbook this product runs, each backed by one workflow type. */
public enum RunbookKind {
  BACKUP("backup", "BackupWorkflow"),
  RESTORE("restore", "RestoreWorkflow"),
  RESTORE_TEST("restore-test", "RestoreTestWorkflow"),
  DEPLOY("deploy", "DeployWorkflow"),
  ROLLBACK("rollback", "RollbackWorkflow"),
  ROLLOUT("rollout", "RolloutWorkflow"),
  MIGRATE_DATA("migrate-data", "MigrateDataWorkflow");

  private final String id;
  private final String workflowType;

  RunbookKind(String id, String workflowType) {
    this.id = id;
    this.workflowType = workflowType;
  }

  /** The word used in runbook files ({@code kind: backup}). */
  public String id() {
    return id;
  }

  public String workflowType() {
    return workflowType;
  }

  public static RunbookKind fromId(String id) {
    for (RunbookKind k : values()) {
      if (k.id.equals(id)) {
        return k;
      }
    }
    throw new IllegalArgumentException("unknown kind '" + id + "', expected one of " + ids());
  }

  public static String ids() {
    return Arrays.stream(values()).map(RunbookKind::id).collect(Collectors.joining(", "));
  }
}
