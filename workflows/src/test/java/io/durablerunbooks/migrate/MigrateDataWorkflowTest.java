package io.durablerunbooks.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import io.durablerunbooks.migrate.MigrateSpec.CopyOptions;
import io.durablerunbooks.migrate.MigrateSpec.KeylessTables;
import io.durablerunbooks.migrate.MigrateSpec.SyncOptions;
import io.durablerunbooks.migrate.MigrateSpec.VerifyOptions;
import io.durablerunbooks.notify.NotifyActivities;
import io.durablerunbooks.postgres.PostgresConnection;
import io.durablerunbooks.report.Outcome;
import io.durablerunbooks.report.RunbookReport;
import io.durablerunbooks.report.StepRecord;
import io.durablerunbooks.report.StepStatus;
import io.durablerunbooks.runbook.ApprovalPolicy;
import io.durablerunbooks.runbook.Fixtures;
import io.durablerunbooks.runbook.Histories;
import io.durablerunbooks.runbook.Reports;
import io.durablerunbooks.runbook.RunContext;
import io.durablerunbooks.runbook.RunbookKind;
import io.durablerunbooks.secrets.SecretRef;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class MigrateDataWorkflowTest {

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(MigrateDataWorkflowImpl.class)
          .setDoNotStart(true)
          .build();

  private static final ColumnPlan ID =
      new ColumnPlan("id", "int(11)", ColumnFamily.INTEGER, "integer", false, "", false, true, 0, false, false);
  private static final ColumnPlan NAME =
      new ColumnPlan("name", "varchar(20)", ColumnFamily.TEXT, "varchar(20)", true, "", false, false, 0, false, false);
  private static final TablePlan ORDERS =
      new TablePlan("orders", List.of(ID, NAME), List.of("id"), "id", 3000, 300_000, "CREATE TABLE \"public\".\"orders\" (...)",
          List.of("CREATE INDEX \"idx_name\" ON \"public\".\"orders\" (\"name\")"), List.of(), List.of(), "id", 3001);
  private static final TablePlan LINES =
      new TablePlan("lines", List.of(ID, NAME), List.of("id"), "id", 1000, 50_000, "CREATE TABLE \"public\".\"lines\" (...)",
          List.of(), List.of("ALTER TABLE \"public\".\"lines\" ADD CONSTRAINT \"fk_order\" FOREIGN KEY (\"id\") REFERENCES \"public\".\"orders\" (\"id\")"),
          List.of("orders"), "id", 1001);
  private static final SchemaPlan PLAN =
      new SchemaPlan("10.11.19-MariaDB", "15.18", "2026-11-30 10:00:00.000000", List.of(ORDERS, LINES), List.of("index idx_name renamed"));

  private final MigrateActivities activities = mock(MigrateActivities.class, withSettings().withoutAnnotations());
  private final NotifyActivities notifier = mock(NotifyActivities.class, withSettings().withoutAnnotations());
  private final AtomicInteger copying = new AtomicInteger();
  private final AtomicInteger mostAtOnce = new AtomicInteger();

  @BeforeEach
  void aSourceOfTwoTables() {
    when(activities.convertSchema(any())).thenReturn(PLAN);
    when(activities.planChunks(any(), any())).thenAnswer(inv -> {
      TablePlan t = inv.getArgument(1);
      return t.name().equals("orders")
          ? List.of(new KeyRange("", "1000"), new KeyRange("1000", "2000"), new KeyRange("2000", ""))
          : List.of(KeyRange.ALL);
    });
    when(activities.copyChunk(any())).thenAnswer(inv -> {
      mostAtOnce.accumulateAndGet(copying.incrementAndGet(), Math::max);
      Thread.sleep(50);
      copying.decrementAndGet();
      ChunkCopyRequest r = inv.getArgument(0);
      return new ChunkCopied(1000, 100_000, r.range().openBelow() ? 2 : 0, 50);
    });
    when(activities.verifyTable(any(), any())).thenAnswer(inv -> {
      TablePlan t = inv.getArgument(1);
      long rows = t.name().equals("orders") ? 3000 : 1000;
      return new TableVerification(t.name(), rows, rows, 4, 0, 0, List.of(), 120);
    });
  }

  static MigrateSpec spec(ApprovalPolicy approval, boolean verify) {
    return spec(approval, verify, false);
  }

  static MigrateSpec spec(ApprovalPolicy approval, boolean verify, boolean sync) {
    return new MigrateSpec(
        Fixtures.header(RunbookKind.MIGRATE_DATA, "shop-to-postgres", "staging", approval),
        new MySqlConnection("jdbc:mariadb://mysql.internal:3306/shop", "migrator", SecretRef.of("${env:MYSQL_PASSWORD}")),
        new PostgresConnection("jdbc:postgresql://pg.internal:5432/shop", "migrator", SecretRef.of("${env:PGPASSWORD}")),
        "public", List.of(), List.of(), KeylessTables.REFUSE, java.util.Map.of(), java.util.Map.of(), List.of(), new CopyOptions(2, 1000),
        new SyncOptions(sync, java.util.Map.of("orders", "updated_at"), Duration.ofMinutes(15)),
        new VerifyOptions(verify, Duration.ofMillis(500), 100));
  }

  private void start(TestWorkflowEnvironment env, Worker worker, MigrateSpec spec, String id, boolean dryRun) {
    worker.registerActivitiesImplementations(activities, notifier);
    env.start();
    MigrateDataWorkflow workflow =
        env.getWorkflowClient()
            .newWorkflowStub(MigrateDataWorkflow.class, WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(worker.getTaskQueue()).build());
    WorkflowClient.start(workflow::run, new MigrateRequest(new RunContext(Fixtures.INITIATOR, dryRun), spec));
  }

  private static StepRecord step(RunbookReport report, String name) {
    return report.steps().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void copiesEveryRangeAtMostParallelismAtOnceIndexesEachTableOnceCopiedThenVerifies(TestWorkflowEnvironment env, Worker worker) {
    start(env, worker, spec(ApprovalPolicy.unattended(), true), "migrate-happy", false);

    RunbookReport report = Reports.of(env, "migrate-happy");

    assertThat(report.outcome()).isEqualTo(Outcome.SUCCEEDED);
    verify(activities, times(4)).copyChunk(any());
    assertThat(mostAtOnce.get()).isEqualTo(2);
    assertThat(Reports.stepNames(report))
        .containsSubsequence("ConvertSchema", "CreateTables", "PlanChunks", "Copy orders", "BuildIndexes orders", "Verify orders")
        .contains("AddForeignKeys lines")
        .doesNotContain("AddForeignKeys orders");
    assertThat(step(report, "AddForeignKeys lines").startedAt())
        .as("a table's keys once it and the tables they reference are in")
        .isAfterOrEqualTo(step(report, "Copy lines").finishedAt())
        .isAfterOrEqualTo(step(report, "Copy orders").finishedAt());
    assertThat(step(report, "BuildIndexes orders").startedAt())
        .as("a table's indexes are built once all its ranges are in")
        .isAfterOrEqualTo(step(report, "Copy orders").finishedAt());
    assertThat(step(report, "Copy orders").detail()).isEqualTo("3/3 ranges, 3000 rows, 300000 bytes, 2 zero dates written as NULL");
    assertThat(step(report, "Verify lines").detail()).isEqualTo("1000 rows in source, 1000 in target, 4 ranges, equal");
    assertThat(report.facts())
        .containsEntry("table.orders.rows", "3000")
        .containsKey("table.lines.copySeconds")
        .containsEntry("table.orders.zeroDatesAsNull", "2")
        .containsEntry("table.lines.verdict", "equal")
        .containsEntry("note.1", "index idx_name renamed");
    verify(activities, never()).dropCreatedTables(any(), any(), anyString());
    Histories.recordIfAsked(env.getWorkflowClient(), "migrate-happy");
  }

  @Test
  void aFailedCopyDropsTheTablesThisRunCreated(TestWorkflowEnvironment env, Worker worker) {
    doAnswer(inv -> {
          ChunkCopyRequest r = inv.getArgument(0);
          if (r.range().after().equals("1000")) {
            throw ApplicationFailure.newNonRetryableFailure("target: invalid input syntax for type boolean: \"5\"", "InvalidInput");
          }
          return new ChunkCopied(1000, 100, 0, 5);
        })
        .when(activities).copyChunk(any());
    start(env, worker, spec(ApprovalPolicy.unattended(), true), "migrate-copy-fails", false);

    RunbookReport report = Reports.ofFailure(env, "migrate-copy-fails");

    assertThat(report.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(report.reason()).contains("invalid input syntax for type boolean");
    assertThat(step(report, "Copy orders").status()).isEqualTo(StepStatus.FAILED);
    assertThat(step(report, "DropCreatedTables").status()).isEqualTo(StepStatus.COMPENSATED);
    verify(activities).dropCreatedTables(any(), any(), anyString());
    verify(activities, never()).buildIndexes(any(), argThat(t -> t != null && t.name().equals("orders")));
    verify(activities, never()).verifyTable(any(), any());
    Histories.recordIfAsked(env.getWorkflowClient(), "migrate-copy-fails");
  }

  @Test
  void differencesFailTheRunWithTheirKeysAndKeepTheTables(TestWorkflowEnvironment env, Worker worker) {
    doAnswer(inv -> {
      TablePlan t = inv.getArgument(1);
      return t.name().equals("orders")
          ? new TableVerification("orders", 3000, 2999, 4, 1, 2,
              List.of(new RowDifference("17", RowDifference.Kind.DIFFERENT), new RowDifference("2999", RowDifference.Kind.MISSING_IN_TARGET)), 90)
          : new TableVerification("lines", 1000, 1000, 1, 0, 0, List.of(), 30);
    }).when(activities).verifyTable(any(), any());
    start(env, worker, spec(ApprovalPolicy.unattended(), true), "migrate-differs", false);

    RunbookReport report = Reports.ofFailure(env, "migrate-differs");

    assertThat(report.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(report.reason())
        .contains("orders: 2 differing rows (3000 rows in source, 2999 in target), keys 17 different, 2999 missing in target");
    assertThat(step(report, "Verify orders").status()).isEqualTo(StepStatus.FAILED);
    assertThat(step(report, "Verify orders").detail())
        .startsWith("3000 rows in source, 2999 in target, 4 ranges (1 compared row by row): ");
    assertThat(report.facts())
        .containsEntry("table.orders.rangesComparedRowByRow", "1")
        .doesNotContainKey("table.lines.rangesComparedRowByRow");
    assertThat(step(report, "Verify lines").status()).isEqualTo(StepStatus.SUCCEEDED);
    verify(activities, never()).dropCreatedTables(any(), any(), anyString());
    Histories.recordIfAsked(env.getWorkflowClient(), "migrate-differs");
  }

  @Test
  void aDryRunConvertsTheSchemaAndPrintsTheDdlButCreatesNothing(TestWorkflowEnvironment env, Worker worker) {
    start(env, worker, spec(ApprovalPolicy.unattended(), true), "migrate-dry-run", true);

    RunbookReport report = Reports.of(env, "migrate-dry-run");

    assertThat(report.outcome()).isEqualTo(Outcome.SUCCEEDED);
    assertThat(step(report, "CreateTables").status()).isEqualTo(StepStatus.PLANNED);
    assertThat(step(report, "CreateTables").detail()).contains("CREATE TABLE \"public\".\"orders\"");
    assertThat(step(report, "BuildIndexes").detail()).contains("CREATE INDEX \"idx_name\"");
    assertThat(step(report, "AddForeignKeys").detail()).contains("\"fk_order\"");
    verify(activities, never()).createTables(any(), any(), anyString());
    verify(activities, never()).copyChunk(any());
  }

  @Test
  void tablesAreVerifiedMostRowsFirst(TestWorkflowEnvironment env, Worker worker) {
    when(activities.convertSchema(any()))
        .thenReturn(new SchemaPlan(PLAN.sourceVersion(), PLAN.targetVersion(), PLAN.sourceTime(), List.of(LINES, ORDERS), PLAN.notes()));
    MigrateSpec two = spec(ApprovalPolicy.unattended(), true);
    MigrateSpec one = new MigrateSpec(two.header(), two.source(), two.target(), two.targetSchema(), two.include(), two.exclude(),
        two.keylessTables(), two.columnTypes(), two.checkConstraints(), two.leaveBehind(), new CopyOptions(1, 1000), two.sync(), two.verify());
    start(env, worker, one, "migrate-verify-order", false);

    RunbookReport report = Reports.of(env, "migrate-verify-order");

    assertThat(report.outcome()).isEqualTo(Outcome.SUCCEEDED);
    assertThat(step(report, "Verify lines").startedAt())
        .as("the table of fewer rows, listed first, after the larger one")
        .isAfterOrEqualTo(step(report, "Verify orders").finishedAt());
  }

  @Test
  void withVerificationOffTheRunEndsAfterTheForeignKeys(TestWorkflowEnvironment env, Worker worker) {
    start(env, worker, spec(ApprovalPolicy.unattended(), false), "migrate-no-verify", false);

    RunbookReport report = Reports.of(env, "migrate-no-verify");

    assertThat(report.outcome()).isEqualTo(Outcome.SUCCEEDED);
    verify(activities, never()).verifyTable(any(), any());
    verify(activities).addForeignKeys(any(), any());
  }

  @Test
  void withSyncOnTheChangesMadeDuringTheCopyAreSyncedBeforeTheVerification(TestWorkflowEnvironment env, Worker worker) {
    when(activities.syncTable(any())).thenAnswer(inv -> {
      SyncRequest r = inv.getArgument(0);
      return new SyncResult(r.table().name(), 3, r.table().name().equals("orders") ? 5 : 0, 1, 40, 10, "2026-01-01T00:00:00");
    });
    start(env, worker, spec(ApprovalPolicy.unattended(), true, true), "migrate-sync", false);

    RunbookReport report = Reports.of(env, "migrate-sync");

    assertThat(report.outcome()).isEqualTo(Outcome.SUCCEEDED);
    verify(activities).syncTable(argThat(r -> r != null && r.table().name().equals("orders") && r.since().equals(PLAN.sourceTime())));
    assertThat(Reports.stepNames(report)).containsSubsequence("AddForeignKeys lines", "Sync orders", "Verify orders");
    assertThat(step(report, "Sync orders").detail())
        .isEqualTo("5 rows upserted, 1 deleted, by updated_at since 2026-11-30 10:00:00.000000 UTC less 15 min, then by key, 3 ranges");
    assertThat(step(report, "Sync lines").detail()).startsWith("0 rows upserted, 1 deleted, by range checksums");
    assertThat(report.facts()).containsEntry("table.orders.syncUpserted", "5");
    Histories.recordIfAsked(env.getWorkflowClient(), "migrate-sync");
  }
}
