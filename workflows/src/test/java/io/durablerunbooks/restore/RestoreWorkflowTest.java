package io.durablerunbooks.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.groups.Tuple.tuple;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import io.durablerunbooks.approval.ApprovalDecision;
import io.durablerunbooks.approval.ApprovalRecord;
import io.durablerunbooks.approval.Verdict;
import io.durablerunbooks.notify.NotifyActivities;
import io.durablerunbooks.report.Outcome;
import io.durablerunbooks.report.RunbookReport;
import io.durablerunbooks.report.StepRecord;
import io.durablerunbooks.report.StepStatus;
import io.durablerunbooks.runbook.ApprovalPolicy;
import io.durablerunbooks.runbook.Await;
import io.durablerunbooks.runbook.Fixtures;
import io.durablerunbooks.runbook.Histories;
import io.durablerunbooks.runbook.Reports;
import io.durablerunbooks.runbook.RunContext;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RestoreWorkflowTest {

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(RestoreWorkflowImpl.class)
          .setDoNotStart(true)
          .build();

  private static final String KEY = "postgres/orders-nightly/2026/11/21/orders-nightly-20261121T030000Z-abcdef12.dump.zst";

  private final RestoreActivities activities = mock(RestoreActivities.class, withSettings().withoutAnnotations());
  private final NotifyActivities notifier = mock(NotifyActivities.class, withSettings().withoutAnnotations());

  @BeforeEach
  void happyActivities() {
    when(activities.checkRestoreTarget(any())).thenReturn(new TargetInfo("PostgreSQL 15.18", true, 2, "15.18"));
    when(activities.findBackup(any())).thenReturn(Fixtures.manifest(KEY, "ab12"));
    when(activities.verifyBackupChecksum(any())).thenReturn("ab12");
    when(activities.restoreIntoScratch(any())).thenReturn(new RestoredDatabase("x", 3, 400, "ab12", 100));
    when(activities.smokeCheck(any()))
        .thenReturn(new SmokeResult(List.of(new TableCount("public.customers", 10)), List.of(new QueryResult("customers exist", true, "t", "t")), 10));
    when(activities.swapDatabases(any())).thenAnswer(inv -> new SwapResult("orders_staging", ((SwapRequest) inv.getArgument(0)).previousDatabase(), 2));
  }

  private RestoreWorkflow start(TestWorkflowEnvironment env, Worker worker, RestoreSpec spec, boolean dryRun, String id) {
    worker.registerActivitiesImplementations(activities, notifier);
    env.start();
    RestoreWorkflow workflow =
        env.getWorkflowClient()
            .newWorkflowStub(RestoreWorkflow.class, WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(worker.getTaskQueue()).build());
    WorkflowClient.start(workflow::run, new RestoreRequest(new RunContext(Fixtures.INITIATOR, dryRun), spec));
    return workflow;
  }

  private static RestoreSpec staging(ApprovalPolicy approval) {
    return Fixtures.restore("staging", false, approval);
  }



  private static void awaitGate(RestoreWorkflow workflow) {
    Await.until("the approval gate opens", () -> workflow.progress().gate().open());
  }

  @Test
  void goFromAnApproverRestoresIntoScratchChecksAndSwaps(TestWorkflowEnvironment env, Worker worker) {
    RestoreWorkflow workflow = start(env, worker, staging(Fixtures.approvers("alice", "bob")), false, "restore-go");
    awaitGate(workflow);
    verify(activities, never()).restoreIntoScratch(any());

    ApprovalRecord record = workflow.decide(new ApprovalDecision("alice", Verdict.GO, "checked the manifest"));

    assertThat(record.accepted()).isTrue();
    RunbookReport report = Reports.of(env, "restore-go");
    assertThat(report.outcome()).isEqualTo(Outcome.SUCCEEDED);
    assertThat(report.steps()).extracting(StepRecord::name)
        .containsExactly(
            "CheckRestoreTarget", "FindBackup", "VerifyBackupChecksum", "ApproveRestore",
            "RestoreIntoScratchDatabase", "RunSmokeChecks", "SwapInRestoredDatabase");
    assertThat(report.facts()).containsEntry("backup.key", KEY).containsEntry("rows.public.customers", "10");
    verify(activities).smokeCheck(org.mockito.ArgumentMatchers.argThat(r -> r.database().database().startsWith("orders_staging_restore_")));
    Histories.recordIfAsked(env.getWorkflowClient(), "restore-go");
  }

  @Test
  void noGoEndsTheRunWithTheTargetUntouched(TestWorkflowEnvironment env, Worker worker) {
    RestoreWorkflow workflow = start(env, worker, staging(Fixtures.approvers("alice")), false, "restore-nogo");
    awaitGate(workflow);

    workflow.decide(new ApprovalDecision("alice", Verdict.NO_GO, "wrong backup"));

    RunbookReport report = Reports.ofFailure(env, "restore-nogo");
    assertThat(report.outcome()).isEqualTo(Outcome.REJECTED);
    assertThat(report.approvals()).extracting(ApprovalRecord::approver, ApprovalRecord::verdict).containsExactly(tuple("alice", Verdict.NO_GO));
    verify(activities, never()).restoreIntoScratch(any());
    verify(activities, never()).swapDatabases(any());
    Histories.recordIfAsked(env.getWorkflowClient(), "restore-nogo");
  }

  @Test
  void aGateWithoutDecisionTimesOutAsNoGo(TestWorkflowEnvironment env, Worker worker) {
    start(env, worker, staging(Fixtures.approvers("alice")), false, "restore-timeout");

    RunbookReport report = Reports.ofFailure(env, "restore-timeout");

    assertThat(report.outcome()).isEqualTo(Outcome.REJECTED);
    assertThat(report.approvals()).singleElement().satisfies(a -> {
      assertThat(a.channel()).isEqualTo("timeout");
      assertThat(a.verdict()).isEqualTo(Verdict.NO_GO);
    });
    verify(activities, never()).restoreIntoScratch(any());
  }

  @Test
  void anApproverWhoIsNotListedIsRefusedAndTheGateStaysOpen(TestWorkflowEnvironment env, Worker worker) {
    RestoreWorkflow workflow = start(env, worker, staging(Fixtures.approvers("alice")), false, "restore-stranger");
    awaitGate(workflow);

    assertThatThrownBy(() -> workflow.decide(new ApprovalDecision("mallory", Verdict.GO, "")))
        .isInstanceOf(WorkflowUpdateException.class)
        .rootCause().hasMessageContaining("mallory is not an approver of this runbook (approvers: alice)");
    workflow.approval(new ApprovalDecision("mallory", Verdict.GO, "via the UI"));
    Await.until("the refused signal is recorded", () -> !workflow.progress().approvals().isEmpty());

    assertThat(workflow.progress().gate().open()).isTrue();
    assertThat(workflow.progress().approvals()).singleElement().satisfies(a -> {
      assertThat(a.accepted()).isFalse();
      assertThat(a.channel()).isEqualTo("signal");
      assertThat(a.refusal()).contains("not an approver");
    });
    verify(activities, never()).restoreIntoScratch(any());

    workflow.approval(new ApprovalDecision("alice", Verdict.GO, "ok"));
    assertThat(Reports.of(env, "restore-stranger").outcome()).isEqualTo(Outcome.SUCCEEDED);
    Histories.recordIfAsked(env.getWorkflowClient(), "restore-stranger");
  }

  @Test
  void theInitiatorMayNotApproveTheirOwnRun(TestWorkflowEnvironment env, Worker worker) {
    RestoreWorkflow workflow = start(env, worker, staging(Fixtures.approvers("alice", Fixtures.INITIATOR)), false, "restore-self");
    awaitGate(workflow);

    assertThatThrownBy(() -> workflow.decide(new ApprovalDecision(Fixtures.INITIATOR, Verdict.GO, "trust me")))
        .isInstanceOf(WorkflowUpdateException.class)
        .rootCause().hasMessageContaining("started this run and may not approve it");
    assertThat(workflow.progress().gate().open()).isTrue();

    workflow.decide(new ApprovalDecision("alice", Verdict.GO, ""));
    assertThat(Reports.of(env, "restore-self").outcome()).isEqualTo(Outcome.SUCCEEDED);
  }

  @Test
  void aDecisionWhenNoGateIsOpenIsRefused(TestWorkflowEnvironment env, Worker worker) {
    when(activities.checkRestoreTarget(any())).thenAnswer(inv -> {
      Thread.sleep(300);
      return new TargetInfo("PostgreSQL 15.18", true, 0, "15.18");
    });
    RestoreWorkflow workflow = start(env, worker, staging(Fixtures.approvers("alice")), false, "restore-early");
    Await.until("the run started", () -> !workflow.progress().steps().isEmpty());

    assertThatThrownBy(() -> workflow.decide(new ApprovalDecision("alice", Verdict.GO, "too early")))
        .isInstanceOf(WorkflowUpdateException.class)
        .rootCause().hasMessageContaining("the gate is not open");
    awaitGate(workflow);
    workflow.decide(new ApprovalDecision("alice", Verdict.GO, ""));
    assertThat(Reports.of(env, "restore-early").outcome()).isEqualTo(Outcome.SUCCEEDED);
  }

  @Test
  void refusesAProductionTargetThatIsNotUnlocked(TestWorkflowEnvironment env, Worker worker) {
    start(env, worker, Fixtures.restore("production", false, Fixtures.approvers("alice")), false, "restore-prod");

    RunbookReport report = Reports.ofFailure(env, "restore-prod");

    assertThat(report.outcome()).isEqualTo(Outcome.REJECTED);
    assertThat(report.reason()).contains("target.unlockProduction");
    verifyNoInteractions(activities);
  }

  @Test
  void anUnlockedProductionTargetStillNeedsAGoEvenWhenTheFileSaysOtherwise(TestWorkflowEnvironment env, Worker worker) {
    ApprovalPolicy notRequired = new ApprovalPolicy(false, List.of("alice"), false, ApprovalPolicy.DEFAULT_TIMEOUT);
    RestoreWorkflow workflow = start(env, worker, Fixtures.restore("production", true, notRequired), false, "restore-prod-unlocked");

    awaitGate(workflow);
    verify(activities, never()).restoreIntoScratch(any());
    workflow.decide(new ApprovalDecision("alice", Verdict.GO, "incident 4711"));
    assertThat(Reports.of(env, "restore-prod-unlocked").outcome()).isEqualTo(Outcome.SUCCEEDED);
  }

  @Test
  void aChecksumMismatchStopsBeforeAnyDatabaseIsTouched(TestWorkflowEnvironment env, Worker worker) {
    doThrow(ApplicationFailure.newNonRetryableFailure("sha256 of stored object is 00ff, manifest says ab12", "ChecksumMismatch"))
        .when(activities).verifyBackupChecksum(any());
    start(env, worker, staging(Fixtures.approvers("alice")), false, "restore-tampered");

    RunbookReport report = Reports.ofFailure(env, "restore-tampered");

    assertThat(report.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(report.reason()).contains("VerifyBackupChecksum").contains("00ff").contains("untouched");
    assertThat(report.steps()).extracting(StepRecord::name).doesNotContain("ApproveRestore", "RestoreIntoScratchDatabase");
    verify(activities, never()).restoreIntoScratch(any());
    verify(activities, never()).swapDatabases(any());
    verify(activities, never()).dropScratchDatabase(any(), anyString());
    Histories.recordIfAsked(env.getWorkflowClient(), "restore-tampered");
  }

  @Test
  void aFailedSmokeCheckDropsTheScratchDatabaseAndNeverSwaps(TestWorkflowEnvironment env, Worker worker) {
    doThrow(ApplicationFailure.newNonRetryableFailure("customers exist: expected t, got f", "SmokeCheckFailed"))
        .when(activities).smokeCheck(any());
    start(env, worker, staging(ApprovalPolicy.unattended()), false, "restore-smoke-fails");

    RunbookReport report = Reports.ofFailure(env, "restore-smoke-fails");

    assertThat(report.reason()).contains("RunSmokeChecks").contains("customers exist");
    verify(activities, never()).swapDatabases(any());
    verify(activities).dropScratchDatabase(org.mockito.ArgumentMatchers.eq(Fixtures.ORDERS.withDatabase("orders_staging")), org.mockito.ArgumentMatchers.startsWith("orders_staging_restore_"));
    assertThat(report.steps()).extracting(StepRecord::name, StepRecord::status).contains(tuple("DropScratchDatabase", StepStatus.COMPENSATED));
  }

  @Test
  void dryRunVerifiesButRestoresNothing(TestWorkflowEnvironment env, Worker worker) {
    start(env, worker, staging(ApprovalPolicy.unattended()), true, "restore-dry");

    RunbookReport report = Reports.of(env, "restore-dry");

    assertThat(report.steps()).extracting(StepRecord::name, StepRecord::status)
        .containsExactly(
            tuple("CheckRestoreTarget", StepStatus.SUCCEEDED),
            tuple("FindBackup", StepStatus.SUCCEEDED),
            tuple("VerifyBackupChecksum", StepStatus.SUCCEEDED),
            tuple("RestoreIntoScratchDatabase", StepStatus.PLANNED),
            tuple("RunSmokeChecks", StepStatus.PLANNED),
            tuple("SwapInRestoredDatabase", StepStatus.PLANNED));
    verify(activities, never()).restoreIntoScratch(any());
    verify(activities, never()).swapDatabases(any());
  }

  @Test
  void cancellingAtTheGateEndsTheRunAsCancelled(TestWorkflowEnvironment env, Worker worker) {
    RestoreWorkflow workflow = start(env, worker, staging(Fixtures.approvers("alice")), false, "restore-cancel");
    awaitGate(workflow);

    env.getWorkflowClient().newUntypedWorkflowStub("restore-cancel").cancel();

    WorkflowFailedException failed = catchThrowableOfType(WorkflowFailedException.class, () -> Reports.of(env, "restore-cancel"));
    assertThat(failed.getCause()).isInstanceOf(CanceledFailure.class);
    verify(activities, never()).restoreIntoScratch(any());
  }

  @Test
  void scratchAndPreviousNamesFitPostgresIdentifiers() {
    String name = RestoreWorkflowImpl.databaseName("a".repeat(80), "_restore_abcdef12");
    assertThat(name).hasSize(63).endsWith("_restore_abcdef12");
    assertThat(RestoreWorkflowImpl.databaseName("orders", "_before_abcdef12")).isEqualTo("orders_before_abcdef12");
  }
}
