package io.durablerunbooks.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.durablerunbooks.runbook.RunbookKind;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ListQueryTest {

  @Test
  void withoutFiltersItListsEveryRunbookWorkflowType() {
    assertThat(ListQuery.of(Optional.empty(), Optional.empty()))
        .isEqualTo("WorkflowType IN ('BackupWorkflow', 'RestoreWorkflow', 'RestoreTestWorkflow', 'DeployWorkflow',"
            + " 'RollbackWorkflow', 'RolloutWorkflow', 'MigrateDataWorkflow', 'CutoverWorkflow',"
            + " 'RollbackCutoverWorkflow', 'PostCutoverWatchWorkflow', 'MySqlRetentionWorkflow')");
  }

  @Test
  void kindAndStatusFilterOnTheSearchAttributeAndTheExecutionStatus() {
    assertThat(ListQuery.of(Optional.of(RunbookKind.RESTORE_TEST), Optional.of(ListQuery.Status.TIMED_OUT)))
        .endsWith(" AND RunbookKind = 'restore-test' AND ExecutionStatus = 'TimedOut'");
  }

  @Test
  void statusesAreReadAsTheCliWritesThem() {
    assertThat(ListQuery.Status.fromId("Cancelled")).isEqualTo(ListQuery.Status.CANCELED);
    assertThat(ListQuery.Status.fromId("continued-as-new")).isEqualTo(ListQuery.Status.CONTINUED_AS_NEW);
    assertThatThrownBy(() -> ListQuery.Status.fromId("asleep")).hasMessageContaining("running, completed");
    assertThat(ListQuery.statusName(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TIMED_OUT))
        .isEqualTo("timed-out");
  }
}
