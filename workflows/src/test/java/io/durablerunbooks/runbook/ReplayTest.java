package io.durablerunbooks.runbook;

import static org.assertj.core.api.Assertions.assertThat;

import io.durablerunbooks.backup.BackupWorkflowImpl;
import io.durablerunbooks.cutover.CutoverWorkflowImpl;
import io.durablerunbooks.cutover.MySqlRetentionWorkflowImpl;
import io.durablerunbooks.cutover.PostCutoverWatchWorkflowImpl;
import io.durablerunbooks.cutover.RollbackCutoverWorkflowImpl;
import io.durablerunbooks.deploy.DeployWorkflowImpl;
import io.durablerunbooks.migrate.MigrateDataWorkflowImpl;
import io.durablerunbooks.restore.RestoreWorkflowImpl;
import io.durablerunbooks.restoretest.RestoreTestWorkflowImpl;
import io.durablerunbooks.rollback.RollbackWorkflowImpl;
import io.durablerunbooks.rollout.RolloutWorkflowImpl;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.WorkflowReplayer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replays recorded histories (src/test/resources/histories, re-recorded with
 * {@code mvn test -pl workflows -Drecord.histories=true}) against the current workflow code. A
 * change that would break running workflows fails here; guard it with Workflow.getVersion.
 */
class ReplayTest {

  static Stream<Path> histories() throws IOException {
    return Files.list(Histories.DIR).filter(p -> p.toString().endsWith(".json")).sorted();
  }

  @Test
  void everyWorkflowHasRecordedHistories() throws IOException {
    assertThat(histories().map(p -> p.getFileName().toString()))
        .anyMatch(n -> n.startsWith("backup-"))
        .anyMatch(n -> n.startsWith("restore-") && !n.startsWith("restore-test"))
        .anyMatch(n -> n.startsWith("restore-test"))
        .anyMatch(n -> n.startsWith("deploy-"))
        .anyMatch(n -> n.startsWith("rollback-"))
        .anyMatch(n -> n.startsWith("rollout-"))
        .anyMatch(n -> n.startsWith("migrate-"))
        .anyMatch(n -> n.startsWith("cutover-rollback-"))
        .anyMatch(n -> n.startsWith("rollback-cutover-"))
        .anyMatch(n -> n.startsWith("cutover-watch-"));
  }

  @ParameterizedTest
  @MethodSource("histories")
  void replaysWithoutNonDeterminism(Path history) throws Exception {
    String workflowId = history.getFileName().toString().replaceFirst("\\.json$", "");
    WorkflowReplayer.replayWorkflowExecution(
        WorkflowExecutionHistory.fromJson(Files.readString(history), workflowId),
        BackupWorkflowImpl.class, RestoreWorkflowImpl.class, RestoreTestWorkflowImpl.class, DeployWorkflowImpl.class,
        RollbackWorkflowImpl.class, RolloutWorkflowImpl.class, MigrateDataWorkflowImpl.class,
        CutoverWorkflowImpl.class, RollbackCutoverWorkflowImpl.class, PostCutoverWatchWorkflowImpl.class, MySqlRetentionWorkflowImpl.class);
  }
}
