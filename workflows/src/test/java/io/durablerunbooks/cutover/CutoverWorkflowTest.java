package io.durablerunbooks.cutover;

import static io.durablerunbooks.cutover.CutoverFixtures.ITEMS;
import static io.durablerunbooks.cutover.CutoverFixtures.PLAN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
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
import io.durablerunbooks.migrate.RowDifference;
import io.durablerunbooks.migrate.SyncRequest;
import io.durablerunbooks.migrate.SyncResult;
import io.durablerunbooks.migrate.TablePlan;
import io.durablerunbooks.migrate.TableVerification;
import io.durablerunbooks.notify.NotifyActivities;
import io.durablerunbooks.report.Outcome;
import io.durablerunbooks.report.RunbookReport;
import io.durablerunbooks.report.StepRecord;
import io.durablerunbooks.report.StepStatus;
import io.durablerunbooks.restore.RestoreActivities;
import io.durablerunbooks.runbook.Await;
import io.durablerunbooks.runbook.Fixtures;
import io.durablerunbooks.runbook.Histories;
import io.durablerunbooks.runbook.Reports;
import io.durablerunbooks.runbook.RunContext;
import io.durablerunbooks.report.RunbookProgress;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mockito.InOrder;

class CutoverWorkflowTest {

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(CutoverWorkflowImpl.class, CutoverFixtures.FakeBackupWorkflow.class,
              PostCutoverWatchWorkflowImpl.class, MySqlRetentionWorkflowImpl.class)
          .setDoNotStart(true)
          .build();

  private final CutoverActivities cutover = mock(CutoverActivities.class, withSettings().withoutAnnotations());
  private final MigrateActivities migrate = mock(MigrateActivities.class, withSettings().withoutAnnotations());
  private final RestoreActivities restore = mock(RestoreActivities.class, withSettings().withoutAnnotations());
  private final WatchActivities watch = mock(WatchActivities.class, withSettings().withoutAnnotations());
  private final NotifyActivities notifier = mock(NotifyActivities.class, withSettings().withoutAnnotations());
  private final AtomicInteger syncs = new AtomicInteger();

  @BeforeEach
  void aShopReadyToMove() {
    when(migrate.checkCopiedSchema(any())).thenReturn(PLAN);
    when(migrate.syncTable(any())).thenAnswer(inv -> {
      SyncRequest r = inv.getArgument(0);
      syncs.incrementAndGet();
      return new SyncResult(r.table().name(), 2, r.table().name().equals("items") ? 3 : 0, 0, 20, r.table().estimatedRows(),
          "2026-12-01 10:0" + Math.min(9, syncs.get()) + ":00.000000");
    });
    when(migrate.verifyTable(any(), any())).thenAnswer(inv -> clean(inv.getArgument(1)));
    when(migrate.verifyChangedRows(any(), any(), anyString())).thenAnswer(inv -> clean(inv.getArgument(1)));
    when(migrate.resetSequences(any(), any())).thenReturn("items at 3001, tags at 101");
    when(cutover.checkMySql(any())).thenReturn(new SourceState("10.11.19-MariaDB", false, false, "ROW", "shop"));
    when(cutover.checkPostgres(any())).thenReturn(new TargetState("15.18", true, false));
    when(cutover.checkApplication(any())).thenReturn(new AppState(Engine.MYSQL, "HTTP 200 in 5 ms"));
    when(cutover.takeBaseline(any(), any())).thenReturn(new Baseline(
        new SideFigures(Map.of("items", 3000L, "tags", 100L), Map.of("revenue", "1234.50")),
        new SideFigures(Map.of("items", 2990L, "tags", 100L), Map.of("revenue", "1200.00")), 20, 0, 40));
    when(cutover.setMySqlReadOnly(any())).thenReturn(new ReadOnlyResult(12, 0, false));
    when(cutover.compareStatistics(any())).thenReturn(new StatsComparison(Map.of("revenue", "1234.50"), Map.of("revenue", "1234.50"), List.of()));
    when(cutover.switchApplication(any(), any())).thenAnswer(inv -> new SwitchResult(inv.getArgument(1), true, 300, 50));
    when(cutover.checkApplicationEndToEnd(any(), any(), anyString())).thenAnswer(inv -> new AppCheckResult(inv.getArgument(1), List.of("health: HTTP 200"), 30));
    when(cutover.listPostgresWrites(any(), any())).thenReturn(new ChangeInventory(true, "2026-12-01 10:10:00 UTC", Map.of(), List.of()));
    when(cutover.copyBackPostgresWrites(any(), any())).thenReturn(new CopyBackResult(Map.of("items", 2L), Map.of("items", 1L), 15));
    when(watch.sample(any())).thenReturn(new WatchSample(true, "HTTP 200", 20, 0, 30, List.of(), Map.of()));
  }

  private static TableVerification clean(TablePlan t) {
    return new TableVerification(t.name(), t.estimatedRows(), t.estimatedRows(), 4, 0, 0, List.of(), 50);
  }

  private CutoverWorkflow start(TestWorkflowEnvironment env, Worker worker, CutoverSpec spec, String id, boolean dryRun) {
    worker.registerActivitiesImplementations(cutover, migrate, restore, watch, notifier);
    env.start();
    CutoverWorkflow workflow = env.getWorkflowClient().newWorkflowStub(
        CutoverWorkflow.class, WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(worker.getTaskQueue()).build());
    WorkflowClient.start(workflow::run, new CutoverRequest(new RunContext(Fixtures.INITIATOR, dryRun), spec));
    return workflow;
  }

  private static CutoverSpec spec() {
    return CutoverFixtures.spec(Fixtures.approvers("alice"), BackupCheck.none());
  }

  private static void decide(CutoverWorkflow workflow, Verdict verdict) {
    Await.until("the GO gate opens", () -> workflow.progress().gate().open());
    workflow.decide(new ApprovalDecision("alice", verdict, verdict == Verdict.GO ? "go" : "not tonight"));
  }

  private static StepRecord step(RunbookReport report, String name) {
    return report.steps().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void movesTheApplicationWithMySqlReadOnlyFromTheFinalSyncToTheSwitchThenStartsTheWatch(TestWorkflowEnvironment env, Worker worker) {
    CutoverWorkflow workflow = start(env, worker, spec(), "cutover-happy", false);
    decide(workflow, Verdict.GO);

    RunbookReport report = Reports.of(env, "cutover-happy");

    assertThat(report.outcome()).isEqualTo(Outcome.SUCCEEDED);
    assertThat(Reports.stepNames(report)).containsSubsequence(
        "CheckCopiedSchema", "CheckMySql", "CheckPostgres", "CheckApplication", "VerifyCopy items", "TakeBaseline", "CatchUp 1 items",
        "PreCutoverBackup", "ApproveCutover", "CatchUpAfterGo items", "SetMySqlReadOnly", "FinalSync items", "ResetSequences",
        "VerifyFinal items", "CompareStatistics", "ArmChangeLog", "SwitchApplication", "CheckApplicationEndToEnd", "EnableMonitoring",
        "StartPostCutoverWatch");
    assertThat(Reports.stepNames(report)).doesNotContain("CatchUp 2 items").as("the first round's 3 rows are under maxLagRows");
    InOrder order = inOrder(cutover, migrate);
    order.verify(cutover).setMySqlReadOnly(any());
    order.verify(migrate).resetSequences(any(), any());
    order.verify(cutover).armChangeLog(any(), any(), anyString());
    order.verify(cutover).switchApplication(any(), eq(Engine.POSTGRES));
    verify(migrate).syncTable(org.mockito.ArgumentMatchers.argThat(r -> r != null && r.everyColumn() && r.table().name().equals("items")));
    verify(migrate).verifyChangedRows(any(), eq(ITEMS), anyString());
    verify(migrate).verifyTable(any(), eq(CutoverFixtures.TAGS));
    verify(cutover, never()).setMySqlWritable(any());
    verify(cutover, never()).switchApplication(any(), eq(Engine.MYSQL));
    assertThat(report.facts())
        .containsKeys("window.millis", "switchedAt")
        .containsEntry("backup.preCutover", "postgres/orders-nightly/backup-1.dump.zst")
        .containsEntry("statistic.revenue.baseline", "1234.50 in MySQL, 1200.00 in PostgreSQL")
        .containsEntry("watch", "cutover-happy/watch")
        .containsEntry("retention", "cutover-happy/mysql-retention");
    assertThat(step(report, "StartPostCutoverWatch").detail()).contains("every 5m for 1d", "keeps MySQL read-only until");
    assertThat(env.getWorkflowClient().newUntypedWorkflowStub("cutover-happy/watch").describe().getWorkflowExecutionInfo().getType()
        .getName()).isEqualTo("PostCutoverWatchWorkflow");
    Histories.recordIfAsked(env.getWorkflowClient(), "cutover-happy");
  }

  @Test
  void noGoChangesNothing(TestWorkflowEnvironment env, Worker worker) {
    CutoverWorkflow workflow = start(env, worker, spec(), "cutover-nogo", false);
    decide(workflow, Verdict.NO_GO);

    RunbookReport report = Reports.ofFailure(env, "cutover-nogo");

    assertThat(report.outcome()).isEqualTo(Outcome.REJECTED);
    assertThat(report.reason()).contains("nothing was changed");
    verify(cutover, never()).setMySqlReadOnly(any());
    verify(cutover, never()).switchApplication(any(), any());
    Histories.recordIfAsked(env.getWorkflowClient(), "cutover-nogo");
  }

  @Test
  void noDecisionBeforeTheTimeoutIsANoGoAndChangesNothing(TestWorkflowEnvironment env, Worker worker) {
    start(env, worker, spec(), "cutover-gate-timeout", false);

    RunbookReport report = Reports.ofFailure(env, "cutover-gate-timeout");

    assertThat(report.outcome()).isEqualTo(Outcome.REJECTED);
    assertThat(step(report, "ApproveCutover").detail()).contains("no decision within", "a timeout is a NO-GO");
    verify(cutover, never()).setMySqlReadOnly(any());
    verify(cutover, never()).switchApplication(any(), any());
  }

  @Test
  void theInitiatorCannotApproveTheirOwnCutoverNorCanAStranger(TestWorkflowEnvironment env, Worker worker) {
    CutoverWorkflow workflow = start(env, worker, CutoverFixtures.spec(Fixtures.approvers("alice", Fixtures.INITIATOR), BackupCheck.none()),
        "cutover-self", false);
    Await.until("the GO gate opens", () -> workflow.progress().gate().open());

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> workflow.decide(new ApprovalDecision(Fixtures.INITIATOR, Verdict.GO, "mine")))
        .hasStackTraceContaining("started this run and may not approve it");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> workflow.decide(new ApprovalDecision("mallory", Verdict.GO, "")))
        .hasStackTraceContaining("mallory is not an approver");
    assertThat(workflow.progress().gate().open()).isTrue();
    verify(cutover, never()).setMySqlReadOnly(any());
    WorkflowStub.fromTyped(workflow).cancel();
  }

  @Test
  void aDifferingRowWithMySqlReadOnlyRollsBackBeforeTheApplicationMoves(TestWorkflowEnvironment env, Worker worker) {
    doAnswer(inv -> new TableVerification("items", 3000, 3000, 4, 1, 1, List.of(new RowDifference("17", RowDifference.Kind.DIFFERENT)), 50))
        .when(migrate).verifyChangedRows(any(), any(), anyString());
    CutoverWorkflow workflow = start(env, worker, spec(), "cutover-rollback-verify", false);
    decide(workflow, Verdict.GO);

    RunbookReport report = Reports.ofFailure(env, "cutover-rollback-verify");

    assertThat(report.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(report.reason()).contains("items: 1 differing rows", "keys 17 different", "rolled back to MySQL");
    assertThat(step(report, "SetMySqlWritable").status()).isEqualTo(StepStatus.COMPENSATED);
    assertThat(report.facts()).containsEntry("rollback.phase", "VerifyFinal").containsKey("rollback.millis")
        .containsEntry("rollback.forensicBackup", "postgres/orders-nightly/backup-1.dump.zst");
    assertThat(Reports.stepNames(report)).containsSubsequence("SetMySqlWritable", "CheckMySqlReadWrite", "ForensicBackup");
    verify(cutover, never()).switchApplication(any(), any());
    verify(cutover, never()).armChangeLog(any(), any(), anyString());
    verify(cutover).setMySqlWritable(any());
    Histories.recordIfAsked(env.getWorkflowClient(), "cutover-rollback-verify");
  }

  @Test
  void aFailedCheckAfterTheSwitchTakesTheApplicationBackThenCopiesBackThenMakesMySqlWritable(TestWorkflowEnvironment env, Worker worker) {
    doAnswer(inv -> {
      if (inv.getArgument(1) == Engine.POSTGRES) {
        throw ApplicationFailure.newNonRetryableFailure("application check failed: write /api/items answered HTTP 500", "ApplicationCheckFailed");
      }
      return new AppCheckResult(Engine.MYSQL, List.of("write: HTTP 201"), 20);
    }).when(cutover).checkApplicationEndToEnd(any(), any(), anyString());
    CutoverWorkflow workflow = start(env, worker, spec(), "cutover-rollback-after-switch", false);
    decide(workflow, Verdict.GO);

    RunbookReport report = Reports.ofFailure(env, "cutover-rollback-after-switch");

    assertThat(report.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    InOrder order = inOrder(cutover);
    order.verify(cutover).switchApplication(any(), eq(Engine.POSTGRES));
    order.verify(cutover).switchApplication(any(), eq(Engine.MYSQL));
    order.verify(cutover).copyBackPostgresWrites(any(), any());
    order.verify(cutover).disarmChangeLog(any(), any());
    order.verify(cutover).setMySqlWritable(any());
    order.verify(cutover).checkApplicationEndToEnd(any(), eq(Engine.MYSQL), anyString());
    assertThat(report.facts()).containsEntry("rollback.copiedBackRows", "3").containsEntry("rollback.items.copiedBack", "2");
    for (String undone : List.of("SwitchApplicationBack", "CopyBackPostgresWrites", "DisarmChangeLog", "SetMySqlWritable")) {
      assertThat(step(report, undone).status()).as(undone).isEqualTo(StepStatus.COMPENSATED);
    }
    Histories.recordIfAsked(env.getWorkflowClient(), "cutover-rollback-after-switch");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "SetMySqlReadOnly, SetMySqlReadOnly, false",
      "FinalSync, FinalSync, false",
      "ResetSequences, FinalSync, false",
      "VerifyFinal, VerifyFinal, false",
      "ArmChangeLog, SwitchApplication, false",
      "SwitchApplication, SwitchApplication, true",
      "CheckApplicationEndToEnd, CheckApplication, true",
      "EnableMonitoring, EnableMonitoring, true"})
  void aFailureInAnyPhaseOfTheWindowEndsWithMySqlWritableAndTheApplicationOnIt(String failing, String phase, boolean switched,
      TestWorkflowEnvironment env, Worker worker) {
    ApplicationFailure injected = ApplicationFailure.newNonRetryableFailure("injected failure in " + failing, "Injected");
    switch (failing) {
      case "SetMySqlReadOnly" -> doThrow(injected).when(cutover).setMySqlReadOnly(any());
      // VerifyCopy, CatchUp and CatchUpAfterGo sync both tables first.
      case "FinalSync" -> doAnswer(inv -> {
        if (syncs.get() >= 6) {
          throw injected;
        }
        SyncRequest r = inv.getArgument(0);
        syncs.incrementAndGet();
        return new SyncResult(r.table().name(), 2, 3, 0, 20, 10, "2026-12-01 10:05:00.000000");
      }).when(migrate).syncTable(any());
      case "ResetSequences" -> doThrow(injected).when(migrate).resetSequences(any(), any());
      case "VerifyFinal" -> doThrow(injected).when(migrate).verifyChangedRows(any(), any(), anyString());
      case "ArmChangeLog" -> doThrow(injected).when(cutover).armChangeLog(any(), any(), anyString());
      case "SwitchApplication" -> doAnswer(inv -> {
        if (inv.getArgument(1) == Engine.POSTGRES) {
          throw injected;
        }
        return new SwitchResult(Engine.MYSQL, true, 300, 50);
      }).when(cutover).switchApplication(any(), any());
      case "CheckApplicationEndToEnd" -> doAnswer(inv -> {
        if (inv.getArgument(1) == Engine.POSTGRES) {
          throw injected;
        }
        return new AppCheckResult(Engine.MYSQL, List.of("write: HTTP 201"), 20);
      }).when(cutover).checkApplicationEndToEnd(any(), any(), anyString());
      case "EnableMonitoring" -> doThrow(injected).when(cutover).enableMonitoring(any());
      default -> throw new IllegalArgumentException(failing);
    }
    String id = "cutover-fails-in-" + failing;
    decide(start(env, worker, spec(), id, false), Verdict.GO);

    RunbookReport report = Reports.ofFailure(env, id);

    assertThat(report.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(report.reason()).contains("injected failure in " + failing, "(during " + phase + ")", "rolled back to MySQL");
    assertThat(report.facts()).containsEntry("rollback.phase", phase).containsKey("rollback.millis");
    InOrder order = inOrder(cutover);
    if (switched) {
      order.verify(cutover).switchApplication(any(), eq(Engine.MYSQL));
      order.verify(cutover).copyBackPostgresWrites(any(), any());
    }
    order.verify(cutover).setMySqlWritable(any());
    order.verify(cutover).checkApplicationEndToEnd(any(), eq(Engine.MYSQL), anyString());
    verify(cutover, switched ? org.mockito.Mockito.times(1) : never()).switchApplication(any(), eq(Engine.MYSQL));
  }

  @Test
  void aRollbackThatCannotMoveTheApplicationBackNeverMakesMySqlWritable(TestWorkflowEnvironment env, Worker worker) {
    doThrow(ApplicationFailure.newNonRetryableFailure("application check failed: HTTP 500", "ApplicationCheckFailed"))
        .when(cutover).checkApplicationEndToEnd(any(), eq(Engine.POSTGRES), anyString());
    doAnswer(inv -> {
      if (inv.getArgument(1) == Engine.MYSQL) {
        throw ApplicationFailure.newNonRetryableFailure("ssh: connection refused", "SshUnreachable");
      }
      return new SwitchResult(Engine.POSTGRES, true, 300, 50);
    }).when(cutover).switchApplication(any(), any());
    CutoverWorkflow workflow = start(env, worker, spec(), "cutover-rollback-blocked", false);
    decide(workflow, Verdict.GO);

    RunbookReport report = Reports.ofFailure(env, "cutover-rollback-blocked");

    assertThat(report.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(report.reason()).contains("ROLLBACK INCOMPLETE", "may still write to PostgreSQL");
    verify(cutover, never()).setMySqlWritable(any());
    verify(cutover, never()).copyBackPostgresWrites(any(), any());
    verify(cutover, never()).disarmChangeLog(any(), any());
  }

  @Test
  void aCancellationWithMySqlReadOnlyRollsBackAndEndsCancelled(TestWorkflowEnvironment env, Worker worker) {
    doAnswer(inv -> {
      Thread.sleep(3_000);
      return "items at 3001";
    }).when(migrate).resetSequences(any(), any());
    CutoverWorkflow workflow = start(env, worker, spec(), "cutover-cancel", false);
    decide(workflow, Verdict.GO);
    Await.until("ResetSequences runs", () -> workflow.progress().steps().stream()
        .anyMatch(s -> s.name().equals("ResetSequences") && s.status() == StepStatus.RUNNING));
    WorkflowStub.fromTyped(workflow).cancel();

    WorkflowFailedException failed = catchThrowableOfType(WorkflowFailedException.class, () -> Reports.of(env, "cutover-cancel"));

    assertThat(failed.getCause()).isInstanceOf(CanceledFailure.class);
    RunbookProgress progress = workflow.progress();
    assertThat(progress.outcome()).isEqualTo(Outcome.CANCELLED);
    verify(cutover).setMySqlWritable(any());
    verify(cutover, never()).switchApplication(any(), any());
    assertThat(progress.steps()).filteredOn(s -> s.name().equals("SetMySqlWritable")).extracting(StepRecord::status)
        .containsExactly(StepStatus.COMPENSATED);
  }

  @Test
  void aDryRunChecksComparesAndPlansButWritesNothing(TestWorkflowEnvironment env, Worker worker) {
    start(env, worker, spec(), "cutover-dry-run", true);

    RunbookReport report = Reports.of(env, "cutover-dry-run");

    assertThat(report.outcome()).isEqualTo(Outcome.SUCCEEDED);
    assertThat(step(report, "VerifyCopy items").detail()).contains("3000 rows in MySQL, 3000 in PostgreSQL, equal");
    for (String planned : List.of("CatchUp", "PreCutoverBackup", "ApproveCutover", "SetMySqlReadOnly", "FinalSync", "ArmChangeLog",
        "SwitchApplication", "CheckApplicationEndToEnd", "StartPostCutoverWatch")) {
      assertThat(step(report, planned).status()).as(planned).isEqualTo(StepStatus.PLANNED);
    }
    assertThat(step(report, "SwitchApplication").detail()).contains("the value of ${file:/run/secrets/shop-pg-url}");
    verify(migrate, never()).syncTable(any());
    verify(cutover, never()).setMySqlReadOnly(any());
    verify(cutover, never()).switchApplication(any(), any());
  }

  @Test
  void aBackupOlderThanRequiredStopsThePreflight(TestWorkflowEnvironment env, Worker worker) {
    when(restore.findBackup(any())).thenReturn(Fixtures.manifest("postgres/shop-nightly/2026/11/21/x.dump.zst", "ab12"));
    start(env, worker, CutoverFixtures.spec(Fixtures.approvers("alice"), new BackupCheck("shop-nightly", Duration.ofHours(26))),
        "cutover-old-backup", false);

    RunbookReport report = Reports.ofFailure(env, "cutover-old-backup");

    assertThat(report.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(report.reason()).contains("backup.require", "shop-nightly", "run the backup first", "MySQL and the application were not changed");
    verify(migrate, never()).syncTable(any());
    verify(cutover, never()).setMySqlReadOnly(any());
  }

  @Test
  void anApplicationOnPostgresAlreadyIsRefused(TestWorkflowEnvironment env, Worker worker) {
    when(cutover.checkApplication(any())).thenReturn(new AppState(Engine.POSTGRES, "HTTP 200"));
    start(env, worker, spec(), "cutover-on-postgres", false);

    RunbookReport report = Reports.ofFailure(env, "cutover-on-postgres");

    assertThat(report.reason()).contains("names PostgreSQL already");
    verify(cutover, never()).setMySqlReadOnly(any());
  }
}
