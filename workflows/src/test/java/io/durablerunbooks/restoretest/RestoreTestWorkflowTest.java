package io.durablerunbooks.restoretest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import io.durablerunbooks.backup.BackupActivities;
import io.durablerunbooks.backup.BackupWorkflowImpl;
import io.durablerunbooks.backup.DatabaseInfo;
import io.durablerunbooks.backup.DumpRequest;
import io.durablerunbooks.backup.RetentionResult;
import io.durablerunbooks.backup.UploadedBackup;
import io.durablerunbooks.backup.VerifiedBackup;
import io.durablerunbooks.backup.VerifyRequest;
import io.durablerunbooks.notify.NotifyActivities;
import io.durablerunbooks.report.Outcome;
import io.durablerunbooks.report.RunbookReport;
import io.durablerunbooks.report.StepRecord;
import io.durablerunbooks.restore.FindBackupRequest;
import io.durablerunbooks.restore.QueryResult;
import io.durablerunbooks.restore.RestoreActivities;
import io.durablerunbooks.restore.RestoreWorkflowImpl;
import io.durablerunbooks.restore.RestoredDatabase;
import io.durablerunbooks.restore.SmokeResult;
import io.durablerunbooks.restore.SwapResult;
import io.durablerunbooks.restore.TableCount;
import io.durablerunbooks.restore.TargetInfo;
import io.durablerunbooks.runbook.Fixtures;
import io.durablerunbooks.runbook.Histories;
import io.durablerunbooks.runbook.RunContext;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RestoreTestWorkflowTest {

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(RestoreTestWorkflowImpl.class, BackupWorkflowImpl.class, RestoreWorkflowImpl.class)
          .setDoNotStart(true)
          .build();

  private final BackupActivities backup = mock(BackupActivities.class, withSettings().withoutAnnotations());
  private final RestoreActivities restore = mock(RestoreActivities.class, withSettings().withoutAnnotations());
  private final NotifyActivities notifier = mock(NotifyActivities.class, withSettings().withoutAnnotations());

  @Test
  void restoresTheBackupItJustTookAndReportsTheSmokeChecks(TestWorkflowEnvironment env, Worker worker) {
    when(backup.checkDatabase(any())).thenReturn(new DatabaseInfo("PostgreSQL 15.18", 150018, 1000, "15.18"));
    when(backup.dumpAndUpload(any())).thenAnswer(inv -> new UploadedBackup(((DumpRequest) inv.getArgument(0)).objectKey(), 1000, 400, "ab12", 1, 10, "15.18"));
    when(backup.verifyBackup(any())).thenAnswer(inv -> new VerifiedBackup(((VerifyRequest) inv.getArgument(0)).key(), 400, "ab12", "sha256-read-back", 5));
    when(backup.applyRetention(any())).thenReturn(new RetentionResult(List.of(), List.of()));
    when(restore.checkRestoreTarget(any())).thenReturn(new TargetInfo("PostgreSQL 15.18", false, 0, "15.18"));
    when(restore.findBackup(any())).thenAnswer(inv -> Fixtures.manifest(((FindBackupRequest) inv.getArgument(0)).keyOrLatest(), "ab12"));
    when(restore.verifyBackupChecksum(any())).thenReturn("ab12");
    when(restore.restoreIntoScratch(any())).thenReturn(new RestoredDatabase("x", 1, 400, "ab12", 10));
    when(restore.smokeCheck(any())).thenReturn(new SmokeResult(List.of(new TableCount("public.customers", 10)), List.of(new QueryResult("q", true, "t", "t")), 5));
    when(restore.swapDatabases(any())).thenReturn(new SwapResult("orders_staging", "", 0));
    worker.registerActivitiesImplementations(backup, restore, notifier);
    env.start();

    RestoreTestWorkflow workflow =
        env.getWorkflowClient()
            .newWorkflowStub(RestoreTestWorkflow.class, WorkflowOptions.newBuilder().setWorkflowId("restore-test").setTaskQueue(worker.getTaskQueue()).build());
    RunbookReport report = workflow.run(new RestoreTestRequest(new RunContext("scheduler", false), Fixtures.restoreTest()));

    assertThat(report.outcome()).isEqualTo(Outcome.SUCCEEDED);
    assertThat(report.steps()).extracting(StepRecord::name).containsExactly("Backup", "RestoreAndSmokeCheck");
    String key = report.facts().get("backup.key");
    assertThat(key).startsWith("postgres/orders-nightly/");
    verify(restore).findBackup(argThat(r -> r.keyOrLatest().equals(key)));
    assertThat(report.facts()).containsEntry("rows.public.customers", "10");
    Histories.recordIfAsked(env.getWorkflowClient(), "restore-test");
  }
}
