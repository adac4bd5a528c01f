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
  MIGRATE_DATA("migrate-data", "MigrateDataWorkflow"),
  CUTOVER("cutover", "CutoverWorkflow"),
  ROLLBACK_CUTOVER("rollback-cutover", "RollbackCutoverWorkflow"),
  /** Started by a cutover that succeeded, never from a file. */
  CUTOVER_WATCH("cutover-watch", "PostCutoverWatchWorkflow", false),
  /** Started by a cutover that succeeded, never from a file. */
  MYSQL_RETENTION("mysql-retention", "MySqlRetentionWorkflow", false);

  private final String id;
  private final String workflowType;
  private final boolean fromFile;

  RunbookKind(String id, String workflowType) {
    this(id, workflowType, true);
  }

  RunbookKind(String id, String workflowType, boolean fromFile) {
    this.id = id;
    this.workflowType = workflowType;
    this.fromFile = fromFile;
  }

  /** Whether a runbook file may have this kind; the others are started by another runbook. */
  public boolean fromFile() {
    return fromFile;
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

  /** The kinds a runbook file may have. */
  public static String ids() {
    return Arrays.stream(values()).filter(RunbookKind::fromFile).map(RunbookKind::id).collect(Collectors.joining(", "));
  }
}
