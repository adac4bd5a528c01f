package io.durablerunbooks.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import io.durablerunbooks.approval.ApprovalDecision;
import io.durablerunbooks.approval.Verdict;
import io.durablerunbooks.notify.NotifyActivities;
import io.durablerunbooks.report.Outcome;
import io.durablerunbooks.report.RunbookProgress;
import io.durablerunbooks.report.RunbookReport;
import io.durablerunbooks.report.StepRecord;
import io.durablerunbooks.report.StepStatus;
import io.durablerunbooks.runbook.ApprovalPolicy;
import io.durablerunbooks.runbook.Await;
import io.durablerunbooks.runbook.Fixtures;
import io.durablerunbooks.runbook.Histories;
import io.durablerunbooks.runbook.Reports;
import io.durablerunbooks.runbook.RunContext;
import io.durablerunbooks.runbook.Runbooks;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class BackupWorkflowTest {

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(BackupWorkflowImpl.class)
          .setDoNotStart(true)
          .build();

  private final BackupActivities activities = mock(BackupActivities.class, withSettings().withoutAnnotations());
  private final NotifyActivities notifier = mock(NotifyActivities.class, withSettings().withoutAnnotations());

  @BeforeEach
  void happyActivities() {
    when(activities.checkDatabase(any())).thenReturn(new DatabaseInfo("PostgreSQL 15.18", 150018, 123_456, "15.18"));
    when(activities.dumpAndUpload(any()))
        .thenAnswer(inv -> new UploadedBackup(((DumpRequest) inv.getArgument(0)).objectKey(), 1000, 400, "ab12", 1, 900, "15.18"));
    when(activities.verifyBackup(any()))
        .thenAnswer(inv -> new VerifiedBackup(((VerifyRequest) inv.getArgument(0)).key(), 400, "ab12", "sha256-read-back", 50));
    when(activities.applyRetention(any())).thenReturn(new RetentionResult(List.of("a"), List.of("old")));
  }

  private BackupWorkflow start(TestWorkflowEnvironment env, Worker worker, ApprovalPolicy approval, boolean dryRun, String id) {
    worker.registerActivitiesImplementations(activities, notifier);
    env.start();
    BackupWorkflow workflow =
        env.getWorkflowClient()
            .newWorkflowStub(
                BackupWorkflow.class,
                WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(worker.getTaskQueue()).build());
    WorkflowClient.start(workflow::run, new BackupRequest(new RunContext(Fixtures.INITIATOR, dryRun), Fixtures.backup(approval)));
    return workflow;
  }



  @Test
  void backsUpVerifiesWritesManifestAndAppliesRetentionInOrder(TestWorkflowEnvironment env, Worker worker) {
    start(env, worker, ApprovalPolicy.unattended(), false, "backup-happy");

    RunbookReport report = Reports.of(env, "backup-happy");

    assertThat(report.outcome()).isEqualTo(Outcome.SUCCEEDED);
    assertThat(report.steps()).extracting(StepRecord::name)
        .containsExactly("CheckDatabase", "CheckStorage", "DumpAndUpload", "VerifyStoredBackup", "WriteManifest", "ApplyRetention");
    assertThat(report.steps()).allMatch(s -> s.status() == StepStatus.SUCCEEDED);
    String key = report.facts().get("backup.key");
    assertThat(key).matches("postgres/orders-nightly/\\d{4}/\\d{2}/\\d{2}/orders-nightly-\\d{8}T\\d{6}Z-[0-9a-f-]{8}\\.dump\\.zst");
    assertThat(report.facts()).containsEntry("backup.sha256", "ab12").containsEntry("retention.deleted", "1");
    verify(activities).writeManifest(eq(Fixtures.BUCKET), org.mockito.ArgumentMatchers.argThat(m -> m.key().equals(key) && m.sha256().equals("ab12") && m.verified()));
    verify(activities, never()).discardBackup(any(), anyString());
    Histories.recordIfAsked(env.getWorkflowClient(), "backup-happy");
  }

  @Test
  void retriesATransientDumpFailure(TestWorkflowEnvironment env, Worker worker) {
    doThrow(new IllegalStateException("connection reset by S3"))
        .doAnswer(inv -> new UploadedBackup(((DumpRequest) inv.getArgument(0)).objectKey(), 1000, 400, "ab12", 1, 900, "15.18"))
        .when(activities).dumpAndUpload(any());
    start(env, worker, ApprovalPolicy.unattended(), false, "backup-retry");

    RunbookReport report = Reports.of(env, "backup-retry");

    assertThat(report.outcome()).isEqualTo(Outcome.SUCCEEDED);
    verify(activities, times(2)).dumpAndUpload(any());
    Histories.recordIfAsked(env.getWorkflowClient(), "backup-retry");
  }

  @Test
  void failedVerificationDiscardsTheUploadAndFailsWithTheReport(TestWorkflowEnvironment env, Worker worker) {
    doThrow(ApplicationFailure.newNonRetryableFailure("sha256 differs: stored 00ff, expected ab12", "ChecksumMismatch"))
        .when(activities).verifyBackup(any());
    start(env, worker, ApprovalPolicy.unattended(), false, "backup-bad-verify");

    RunbookReport report = Reports.ofFailure(env, "backup-bad-verify");

    assertThat(report.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(report.reason()).contains("VerifyStoredBackup").contains("sha256 differs");
    verify(activities).discardBackup(eq(Fixtures.BUCKET), eq(report.facts().get("backup.key")));
    verify(activities, never()).writeManifest(any(), any());
    assertThat(report.steps()).extracting(StepRecord::name, StepRecord::status)
        .contains(
            org.assertj.core.groups.Tuple.tuple("VerifyStoredBackup", StepStatus.FAILED),
            org.assertj.core.groups.Tuple.tuple("DiscardIncompleteBackup", StepStatus.COMPENSATED));
    Histories.recordIfAsked(env.getWorkflowClient(), "backup-bad-verify");
  }

  @Test
  void cancellingDuringTheUploadDiscardsThePartialObjectAndEndsCancelled(TestWorkflowEnvironment env, Worker worker)
      throws InterruptedException {
    CountDownLatch uploading = new CountDownLatch(1);
    CountDownLatch released = new CountDownLatch(1);
    doAnswer(inv -> {
          uploading.countDown();
          released.await(30, TimeUnit.SECONDS);
          throw new IllegalStateException("the test never lets this upload finish");
        })
        .when(activities).dumpAndUpload(any());
    BackupWorkflow workflow = start(env, worker, ApprovalPolicy.unattended(), false, "backup-cancel");
    assertThat(uploading.await(30, TimeUnit.SECONDS)).as("DumpAndUpload started").isTrue();

    env.getWorkflowClient().newUntypedWorkflowStub("backup-cancel").cancel();

    WorkflowFailedException failed = catchThrowableOfType(WorkflowFailedException.class, () -> Reports.of(env, "backup-cancel"));
    released.countDown();
    assertThat(failed.getCause()).isInstanceOf(CanceledFailure.class);
    RunbookProgress progress = workflow.progress();
    assertThat(progress.outcome()).isEqualTo(Outcome.CANCELLED);
    assertThat(progress.steps()).extracting(StepRecord::name, StepRecord::status)
        .endsWith(tuple("DumpAndUpload", StepStatus.FAILED), tuple("DiscardIncompleteBackup", StepStatus.COMPENSATED));
    verify(activities).discardBackup(eq(Fixtures.BUCKET), anyString());
    verify(activities, never()).writeManifest(any(), any());
    Histories.recordIfAsked(env.getWorkflowClient(), "backup-cancel");
  }

  @Test
  void unreachableDatabaseFailsBeforeAnythingIsStored(TestWorkflowEnvironment env, Worker worker) {
    doThrow(new IllegalStateException("Connection to db.internal:5432 refused")).when(activities).checkDatabase(any());
    start(env, worker, ApprovalPolicy.unattended(), false, "backup-unreachable");

    RunbookReport report = Reports.ofFailure(env, "backup-unreachable");

    assertThat(report.reason()).startsWith("CheckDatabase: ").contains("refused");
    verify(activities, times(4)).checkDatabase(any());
    verify(activities, never()).dumpAndUpload(any());
    verify(activities, never()).discardBackup(any(), anyString());
  }

  @Test
  void dryRunChecksAndPlansButStoresNothing(TestWorkflowEnvironment env, Worker worker) {
    start(env, worker, ApprovalPolicy.unattended(), true, "backup-dry");

    RunbookReport report = Reports.of(env, "backup-dry");

    assertThat(report.dryRun()).isTrue();
    assertThat(report.steps()).extracting(StepRecord::name, StepRecord::status)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("CheckDatabase", StepStatus.SUCCEEDED),
            org.assertj.core.groups.Tuple.tuple("CheckStorage", StepStatus.SUCCEEDED),
            org.assertj.core.groups.Tuple.tuple("DumpAndUpload", StepStatus.PLANNED),
            org.assertj.core.groups.Tuple.tuple("VerifyStoredBackup", StepStatus.PLANNED),
            org.assertj.core.groups.Tuple.tuple("WriteManifest", StepStatus.PLANNED),
            org.assertj.core.groups.Tuple.tuple("ApplyRetention", StepStatus.SUCCEEDED));
    verify(activities, never()).dumpAndUpload(any());
    verify(activities, never()).writeManifest(any(), any());
    verify(activities).applyRetention(org.mockito.ArgumentMatchers.argThat(RetentionRequest::dryRun));
  }

  @Test
  void approvalRequiredBackupWaitsForGo(TestWorkflowEnvironment env, Worker worker) {
    BackupWorkflow workflow = start(env, worker, Fixtures.approvers("alice"), false, "backup-gated");

    Await.until("the gate opens", () -> workflow.progress().gate().open());
    verify(activities, never()).dumpAndUpload(any());
    workflow.decide(new ApprovalDecision("alice", Verdict.GO, "window agreed"));

    RunbookReport report = Reports.of(env, "backup-gated");
    assertThat(report.outcome()).isEqualTo(Outcome.SUCCEEDED);
    assertThat(report.approvals()).singleElement()
        .satisfies(a -> {
          assertThat(a.approver()).isEqualTo("alice");
          assertThat(a.channel()).isEqualTo("update");
          assertThat(a.comment()).isEqualTo("window agreed");
        });
    Histories.recordIfAsked(env.getWorkflowClient(), "backup-gated");
  }

  @Test
  void searchAttributeOutcomeIsSetWhenTheRunWasStartedWithAttributes(TestWorkflowEnvironment env, Worker worker) {
    worker.registerActivitiesImplementations(activities, notifier);
    for (String name : Runbooks.SEARCH_ATTRIBUTES) {
      env.registerSearchAttribute(name, io.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    }
    env.start();
    BackupWorkflow workflow =
        env.getWorkflowClient()
            .newWorkflowStub(
                BackupWorkflow.class,
                WorkflowOptions.newBuilder()
                    .setWorkflowId("backup-sa")
                    .setTaskQueue(worker.getTaskQueue())
                    .setTypedSearchAttributes(
                        io.temporal.common.SearchAttributes.newBuilder()
                            .set(io.temporal.common.SearchAttributeKey.forKeyword(Runbooks.SA_KIND), "backup")
                            .build())
                    .build());
    workflow.run(new BackupRequest(new RunContext(Fixtures.INITIATOR, false), Fixtures.backup(ApprovalPolicy.unattended())));

    String outcome =
        env.getWorkflowClient().newUntypedWorkflowStub("backup-sa").describe().getTypedSearchAttributes()
            .get(io.temporal.common.SearchAttributeKey.forKeyword(Runbooks.SA_OUTCOME));
    assertThat(outcome).isEqualTo("SUCCEEDED");
  }
}
