package io.durablerunbooks.cutover;

import static io.durablerunbooks.cutover.CutoverFixtures.PLAN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import io.durablerunbooks.approval.ApprovalDecision;
import io.durablerunbooks.approval.Verdict;
import io.durablerunbooks.migrate.MigrateActivities;
import io.durablerunbooks.migrate.TablePlan;
import io.durablerunbooks.migrate.TableVerification;
import io.durablerunbooks.notify.NotifyActivities;
import io.durablerunbooks.report.Outcome;
import io.durablerunbooks.report.RunbookReport;
import io.durablerunbooks.report.StepRecord;
import io.durablerunbooks.report.StepStatus;
import io.durablerunbooks.runbook.Await;
import io.durablerunbooks.runbook.Fixtures;
import io.durablerunbooks.runbook.Histories;
import io.durablerunbooks.runbook.Reports;
import io.durablerunbooks.runbook.RunContext;
import io.durablerunbooks.runbook.RunbookKind;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mockito.InOrder;

class RollbackCutoverWorkflowTest {

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow =
      TestWorkflowExtension.newBuilder().registerWorkflowImplementationTypes(RollbackCutoverWorkflowImpl.class).setDoNotStart(true).build();

  private static final ChangeInventory TOOK_THREE =
      new ChangeInventory(true, "2026-12-01 10:10:00 UTC", Map.of("items", 3L), List.of("items {\"id\": 3001} (insert)"));

  private final CutoverActivities cutover = mock(CutoverActivities.class, withSettings().withoutAnnotations());
  private final MigrateActivities migrate = mock(MigrateActivities.class, withSettings().withoutAnnotations());
  private final NotifyActivities notifier = mock(NotifyActivities.class, withSettings().withoutAnnotations());

  @BeforeEach
  void aCutoverTwoDaysAgo() {
    when(migrate.checkCopiedSchema(any())).thenReturn(PLAN);
    when(migrate.verifyLoggedRows(any(), any())).thenAnswer(inv -> {
      TablePlan t = inv.getArgument(1);
      return new TableVerification(t.name(), 3003, 3003, 4, 0, 0, List.of(), 50);
    });
    when(cutover.checkMySqlReadOnly(any())).thenReturn(new SourceState("10.11.19-MariaDB", true, false, "ROW", "shop"));
    when(cutover.checkPostgres(any())).thenReturn(new TargetState("15.18", true, true));
    when(cutover.checkApplication(any())).thenReturn(new AppState(Engine.POSTGRES, "HTTP 200 in 5 ms"));
    when(cutover.listPostgresWrites(any(), any())).thenReturn(TOOK_THREE);
    when(cutover.switchApplication(any(), any())).thenAnswer(inv -> new SwitchResult(inv.getArgument(1), true, 300, 50));
    when(cutover.copyBackPostgresWrites(any(), any())).thenReturn(new CopyBackResult(Map.of("items", 2L), Map.of("items", 1L), 15));
    when(cutover.checkApplicationEndToEnd(any(), any(), anyString())).thenAnswer(inv -> new AppCheckResult(inv.getArgument(1), List.of("write: HTTP 201"), 20));
  }

  private static RollbackCutoverSpec spec(boolean copyBack) {
    CutoverSpec cutover = CutoverFixtures.spec(Fixtures.approvers("alice"), BackupCheck.none());
    return new RollbackCutoverSpec(
        Fixtures.header(RunbookKind.ROLLBACK_CUTOVER, "shop-cutover-rollback", "production", Fixtures.approvers("alice")), cutover, copyBack);
  }

  private RollbackCutoverWorkflow start(TestWorkflowEnvironment env, Worker worker, RollbackCutoverSpec spec, String id, boolean dryRun) {
    worker.registerActivitiesImplementations(cutover, migrate, notifier);
    env.start();
    RollbackCutoverWorkflow workflow = env.getWorkflowClient().newWorkflowStub(
        RollbackCutoverWorkflow.class, WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(worker.getTaskQueue()).build());
    WorkflowClient.start(workflow::run, new RollbackCutoverRequest(new RunContext(Fixtures.INITIATOR, dryRun), spec));
    return workflow;
  }

  private static void go(RollbackCutoverWorkflow workflow) {
    Await.until("the GO gate opens", () -> workflow.progress().gate().open());
    workflow.decide(new ApprovalDecision("alice", Verdict.GO, "back to MySQL"));
  }

  private static StepRecord step(RunbookReport report, String name) {
    return report.steps().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void movesTheApplicationToReadOnlyMySqlCopiesBackVerifiesThenMakesMySqlWritable(TestWorkflowEnvironment env, Worker worker) {
    go(start(env, worker, spec(true), "rollback-cutover-happy", false));

    RunbookReport report = Reports.of(env, "rollback-cutover-happy");

    assertThat(report.outcome()).isEqualTo(Outcome.SUCCEEDED);
    InOrder order = inOrder(cutover, migrate);
    order.verify(cutover).switchApplication(any(), eq(Engine.MYSQL));
    order.verify(cutover).copyBackPostgresWrites(any(), any());
    order.verify(migrate).verifyLoggedRows(any(), eq(CutoverFixtures.ITEMS));
    order.verify(cutover).setMySqlWritable(any());
    order.verify(cutover).checkApplicationEndToEnd(any(), eq(Engine.MYSQL), anyString());
    order.verify(cutover).disarmChangeLog(any(), any());
    verify(migrate, never()).verifyLoggedRows(any(), eq(CutoverFixtures.TAGS));
    verify(migrate, never()).verifyTable(any(), any());
    assertThat(report.facts()).containsEntry("postgresWrites", "3").containsEntry("copiedBackRows", "3")
        .containsEntry("table.items.deletedInMySql", "1");
    assertThat(step(report, "StopWatchAndRetention").status()).isEqualTo(StepStatus.SUCCEEDED);
    assertThat(report.facts()).containsKey("stopped.cutover/shop-cutover/watch").as("no watch runs in this test");
    Histories.recordIfAsked(env.getWorkflowClient(), "rollback-cutover-happy");
  }

  @Test
  void withoutCopyBackARollbackThatWouldLoseRowsIsRefusedAndListsThem(TestWorkflowEnvironment env, Worker worker) {
    start(env, worker, spec(false), "rollback-cutover-would-lose", false);

    RunbookReport report = Reports.ofFailure(env, "rollback-cutover-would-lose");

    assertThat(report.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(report.reason()).contains("copyBack: false", "3 rows", "items 3", "items {\"id\": 3001} (insert)", "nothing was changed");
    verify(cutover, never()).switchApplication(any(), any());
    verify(cutover, never()).setMySqlWritable(any());
  }

  @Test
  void aFailedCopyBackTakesTheApplicationBackToPostgresAndLeavesMySqlReadOnly(TestWorkflowEnvironment env, Worker worker) {
    doThrow(ApplicationFailure.newNonRetryableFailure("MySQL: Duplicate entry 'x' for key 'name'", "CopyBackFailed"))
        .when(cutover).copyBackPostgresWrites(any(), any());
    go(start(env, worker, spec(true), "rollback-cutover-copy-fails", false));

    RunbookReport report = Reports.ofFailure(env, "rollback-cutover-copy-fails");

    assertThat(report.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(report.reason()).contains("Duplicate entry", "MySQL was not made writable");
    InOrder order = inOrder(cutover);
    order.verify(cutover).switchApplication(any(), eq(Engine.MYSQL));
    order.verify(cutover).switchApplication(any(), eq(Engine.POSTGRES));
    verify(cutover, never()).setMySqlWritable(any());
    verify(cutover, never()).disarmChangeLog(any(), any());
    assertThat(step(report, "SwitchApplicationBack").status()).isEqualTo(StepStatus.COMPENSATED);
    Histories.recordIfAsked(env.getWorkflowClient(), "rollback-cutover-copy-fails");
  }

  @Test
  void withoutAChangeLogTheRollbackIsRefused(TestWorkflowEnvironment env, Worker worker) {
    when(cutover.listPostgresWrites(any(), any())).thenReturn(new ChangeInventory(false, "", Map.of(), List.of()));
    start(env, worker, spec(true), "rollback-cutover-no-log", false);

    RunbookReport report = Reports.ofFailure(env, "rollback-cutover-no-log");

    assertThat(report.reason()).contains("has no change log", "would lose data");
    verify(cutover, never()).switchApplication(any(), any());
  }

  @Test
  void aDryRunListsTheRowsItWouldCopyBack(TestWorkflowEnvironment env, Worker worker) {
    start(env, worker, spec(true), "rollback-cutover-dry-run", true);

    RunbookReport report = Reports.of(env, "rollback-cutover-dry-run");

    assertThat(step(report, "ListPostgresWrites").detail()).contains("3 rows written to PostgreSQL", "items {\"id\": 3001} (insert)");
    assertThat(step(report, "CopyBackPostgresWrites").status()).isEqualTo(StepStatus.PLANNED);
    verify(cutover, never()).switchApplication(any(), any());
    verify(cutover, never()).copyBackPostgresWrites(any(), any());
  }
}
