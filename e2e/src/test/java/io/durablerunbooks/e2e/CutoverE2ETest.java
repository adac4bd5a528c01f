package io.durablerunbooks.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.durablerunbooks.cutover.CutoverWorkflow;
import io.durablerunbooks.report.RunbookProgress;
import io.durablerunbooks.report.RunbookReport;
import io.durablerunbooks.runbook.RunbookWorkflow;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cutover of the local store application through the CLI, a real worker, MariaDB, PostgreSQL,
 * SSH to store1 and the application itself, under a write load through the application: every
 * write it acknowledged is where it must be afterwards. A dry run changes nothing; the watch
 * reports; a rollback-cutover takes the application back with PostgreSQL's writes; an injected
 * failure after the switch rolls back on its own. No password reaches a history.
 */
class CutoverE2ETest {

  private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  private static final String QUEUE = "e2e-cutover-" + RUN;
  private static final int ROWS = 20_000;
  private static final Path RUNBOOKS = Cutovers.RUNBOOKS;

  @TempDir static Path dir;
  private static E2eSession e2e;
  private static Cutovers cutovers;
  private static int runs;

  @BeforeAll
  static void worker() throws Exception {
    e2e = E2eSession.withWorker(QUEUE, dir.resolve("worker.log"));
    cutovers = new Cutovers(e2e);
  }

  @AfterAll
  static void leaveTheStoreAsFound() throws Exception {
    Cutovers.leaveTheStoreAsFound(e2e);
  }

  private String name;

  /** A fresh store with its copy in PostgreSQL, made by migrate-data as an operator would. */
  @BeforeEach
  void aStoreCopiedToPostgres() throws Exception {
    StoreApp.reset(ROWS);
    name = "e2e-cutover-" + RUN + "-" + (++runs);
    cutovers.copyStore(name);
    assertThat(StoreApp.engine()).isEqualTo("mysql");
  }

  @Test
  void aDryRunChecksEverythingAndChangesNothing() throws Exception {
    String mysqlBefore = StoreApp.mysqlFingerprint();
    String postgresBefore = StoreApp.postgresFingerprint();
    String envBefore = StoreApp.envFileSha256();

    Cli.Result dry = cutovers.start("local-cutover.yaml", "name=" + name, "--dry-run", "--watch");

    assertThat(dry.exitCode()).as(dry.all()).isZero();
    assertThat(dry.out()).contains("VerifyCopy items", "20005 rows in MySQL, 20005 in PostgreSQL, equal", "SetMySqlReadOnly", "PLANNED",
        "would set DATABASE_URL");
    assertThat(StoreApp.mysqlFingerprint()).isEqualTo(mysqlBefore);
    assertThat(StoreApp.postgresFingerprint()).isEqualTo(postgresBefore);
    assertThat(StoreApp.envFileSha256()).isEqualTo(envBefore);
    assertThat(StoreApp.mysqlReadOnly()).isFalse();
    assertThat(StoreApp.postgres("SELECT count(*) FROM pg_namespace WHERE nspname = 'durable_runbooks'")).containsExactly("0");
  }

  @Test
  void underLoadEveryAcknowledgedWriteEndsInPostgresThenARollbackCutoverBringsThemAllBack() throws Exception {
    String id = "cutover/" + name;
    Set<String> keptOnMySql;
    try (StoreApp.Load load = new StoreApp.Load()) {
      Cli.Result started = cutovers.start("local-cutover.yaml", "name=" + name, "watch.period=40s", "watch.interval=10s", "watch.probeRequests=10",
          // A shared 2-core machine under the test's load: the watch's latency limit is not what this test is about.
          "watch.latencyFactor=100");
      assertThat(started.exitCode()).as(started.all()).isZero();
      cutovers.approve(id, "ApproveCutover");
      RunbookReport report = cutovers.result(id);
      assertThat(report.outcome().name()).as(report.reason()).isEqualTo("SUCCEEDED");
      Thread.sleep(2_000);
      load.close();

      assertThat(StoreApp.engine()).isEqualTo("postgresql");
      assertThat(StoreApp.mysqlReadOnly()).isTrue();
      Set<String> inPostgres = StoreApp.loadInPostgres();
      assertThat(load.acknowledged.get()).as("the load ran").isGreaterThan(50);
      assertThat(inPostgres).as("every insert the application acknowledged, on either database").containsAll(load.kept());
      assertThat(inPostgres).as("no delete the application acknowledged undone").doesNotContainAnyElementsOf(load.deleted);
      Set<String> writtenAfterSwitch = new HashSet<>(load.kept());
      writtenAfterSwitch.removeAll(StoreApp.loadInMySql());
      assertThat(writtenAfterSwitch).as("the load went on writing on PostgreSQL after the switch").isNotEmpty();
      assertThat(Long.parseLong(report.facts().get("window.millis"))).isPositive();
      assertThat(report.facts()).containsEntry("table.items.verdict", "equal");
      cutovers.assertNoSecretIn(id);

      RunbookReport watched = cutovers.result(id + "/watch");
      assertThat(watched.outcome().name()).as(watched.reason()).isEqualTo("SUCCEEDED");
      assertThat(watched.facts()).containsKey("report.uptime").containsEntry("report.incidents", "0");
      assertThat(Integer.parseInt(watched.facts().get("report.samples"))).isGreaterThanOrEqualTo(4);
      keptOnMySql = load.kept();
    }

    String back = "rollback-cutover/" + name + "-back";
    try (StoreApp.Load load = new StoreApp.Load()) {
      Thread.sleep(1_000);
      Cli.Result started = cutovers.start("local-rollback-cutover.yaml", "name=" + name + "-back", "cutover=" + name);
      assertThat(started.exitCode()).as(started.all()).isZero();
      cutovers.approve(back, "ApproveRollbackCutover");
      RunbookReport report = cutovers.result(back);
      assertThat(report.outcome().name()).as(report.reason()).isEqualTo("SUCCEEDED");
      Thread.sleep(2_000);
      load.close();

      assertThat(StoreApp.engine()).isEqualTo("mysql");
      assertThat(StoreApp.mysqlReadOnly()).isFalse();
      Set<String> inMySql = StoreApp.loadInMySql();
      assertThat(inMySql).as("what PostgreSQL took, copied back").containsAll(keptOnMySql).containsAll(load.kept());
      assertThat(inMySql).doesNotContainAnyElementsOf(load.deleted);
      assertThat(Long.parseLong(report.facts().get("copiedBackRows"))).isPositive();
      assertThat(StoreApp.postgres("SELECT count(*) FROM pg_namespace WHERE nspname = 'durable_runbooks'")).as("change log dropped")
          .containsExactly("0");
      cutovers.assertNoSecretIn(back);
    }
  }

  @Test
  void aFailedCheckAfterTheSwitchRollsBackWithTheWritesPostgresTookMeanwhile() throws Exception {
    StoreApp.rejectCheckWritesOnPostgres();
    String id = "cutover/" + name;
    try (StoreApp.Load load = new StoreApp.Load()) {
      Cli.Result started = cutovers.start("local-cutover.yaml", "name=" + name);
      assertThat(started.exitCode()).as(started.all()).isZero();
      cutovers.approve(id, "ApproveCutover");
      RunbookReport report = cutovers.result(id);
      Thread.sleep(2_000);
      load.close();

      assertThat(report.outcome().name()).as(report.reason()).isEqualTo("ROLLED_BACK");
      assertThat(report.reason()).contains("injected failure", "rolled back to MySQL");
      assertThat(StoreApp.engine()).isEqualTo("mysql");
      assertThat(StoreApp.mysqlReadOnly()).isFalse();
      Set<String> inMySql = StoreApp.loadInMySql();
      assertThat(inMySql).as("every acknowledged insert, also those PostgreSQL took before the rollback").containsAll(load.kept());
      assertThat(inMySql).doesNotContainAnyElementsOf(load.deleted);
      assertThat(report.facts()).containsKeys("rollback.millis", "rollback.copiedBackRows", "rollback.forensicBackup");
      assertThat(report.facts().get("rollback.forensicBackup")).startsWith("postgres/");
      assertThat(StoreApp.postgres("SELECT count(*) FROM pg_namespace WHERE nspname = 'durable_runbooks'")).containsExactly("0");
      cutovers.assertNoSecretIn(id);
    }
  }

  /** The run ended ROLLED_BACK or CANCELLED as asked, MySQL writable, the application on it, every acknowledged write in MySQL. */
  private void assertRolledBack(String id, StoreApp.Load load) throws Exception {
    assertThat(StoreApp.engine()).isEqualTo("mysql");
    assertThat(StoreApp.mysqlReadOnly()).isFalse();
    Set<String> inMySql = StoreApp.loadInMySql();
    assertThat(inMySql).as("every acknowledged insert").containsAll(load.kept());
    assertThat(inMySql).as("no acknowledged delete undone").doesNotContainAnyElementsOf(load.deleted);
    assertThat(StoreApp.postgres("SELECT count(*) FROM pg_namespace WHERE nspname = 'durable_runbooks'")).containsExactly("0");
    cutovers.assertNoSecretIn(id);
  }

  @Test
  void anApplicationThatCannotRestartOnPostgresIsLeftOnMySqlWritable() throws Exception {
    Path reload = dir.resolve("reload-" + name);
    java.nio.file.Files.writeString(reload, """
        #!/bin/sh
        if grep -q '^DATABASE_URL=postgresql://' %s; then
          echo "e2e: the application does not start on PostgreSQL" >&2
          exit 1
        fi
        exec %s reload
        """.formatted(StoreApp.ENV_FILE, Stack.DIR.resolve("store1/bin/service")));
    reload.toFile().setExecutable(true);
    String id = "cutover/" + name;
    try (StoreApp.Load load = new StoreApp.Load()) {
      assertThat(cutovers.start("local-cutover.yaml", "name=" + name, "application.reload=" + reload).exitCode()).isZero();
      cutovers.approve(id, "ApproveCutover");
      RunbookReport report = cutovers.result(id);
      Thread.sleep(1_000);
      load.close();

      assertThat(report.outcome().name()).as(report.reason()).isEqualTo("ROLLED_BACK");
      assertThat(report.facts()).containsEntry("rollback.phase", "SwitchApplication");
      assertThat(report.reason()).contains("does not start on PostgreSQL");
      assertThat(java.nio.file.Files.readString(StoreApp.ENV_FILE)).contains("DATABASE_URL=mysql://");
      assertRolledBack(id, load);
    }
  }

  @Test
  void aBusinessFigureThatDiffersWithMySqlReadOnlyRollsBackBeforeTheSwitch() throws Exception {
    String yaml = java.nio.file.Files.readString(RUNBOOKS.resolve("local-cutover.yaml")).replace(
        "  - { name: catalogue value, sql: \"SELECT sum(price) FROM items\" }",
        "  - { name: injected mismatch, mysql: \"SELECT 1\", postgres: \"SELECT 2\" }");
    Path file = dir.resolve(name + ".yaml");
    java.nio.file.Files.writeString(file, yaml);
    String id = "cutover/" + name;
    try (StoreApp.Load load = new StoreApp.Load()) {
      Cli.Result started = e2e.cli().run("start", file.toString(), "--set", "name=" + name);
      assertThat(started.exitCode()).as(started.all()).isZero();
      cutovers.approve(id, "ApproveCutover");
      RunbookReport report = cutovers.result(id);
      Thread.sleep(1_000);
      load.close();

      assertThat(report.outcome().name()).as(report.reason()).isEqualTo("ROLLED_BACK");
      assertThat(report.facts()).containsEntry("rollback.phase", "VerifyFinal");
      assertThat(report.reason()).contains("injected mismatch MySQL 1, PostgreSQL 2");
      assertRolledBack(id, load);
    }
  }

  @Test
  void aCancellationOnceMySqlIsReadOnlyRollsBack() throws Exception {
    String id = "cutover/" + name;
    try (StoreApp.Load load = new StoreApp.Load()) {
      assertThat(cutovers.start("local-cutover.yaml", "name=" + name).exitCode()).isZero();
      cutovers.approve(id, "ApproveCutover");
      RunbookWorkflow run = e2e.temporal().newWorkflowStub(CutoverWorkflow.class, id);
      for (int i = 0; i < 600 && run.progress().steps().stream().noneMatch(st -> st.name().equals("SetMySqlReadOnly")
          && st.status() == io.durablerunbooks.report.StepStatus.SUCCEEDED); i++) {
        Thread.sleep(10);
      }
      Cli.Result cancel = e2e.cli().run("cancel", id);
      assertThat(cancel.exitCode()).as(cancel.all()).isZero();
      RunbookProgress progress = awaitEnd(run);
      Thread.sleep(1_000);
      load.close();

      assertThat(progress.outcome()).isEqualTo(io.durablerunbooks.report.Outcome.CANCELLED);
      assertThat(progress.steps()).anyMatch(st -> st.name().equals("SetMySqlWritable")
          && st.status() == io.durablerunbooks.report.StepStatus.COMPENSATED);
      assertRolledBack(id, load);
    }
  }

  private static RunbookProgress awaitEnd(RunbookWorkflow run) throws InterruptedException {
    for (int i = 0; i < 1200; i++) {
      RunbookProgress p = run.progress();
      if (p.outcome() != null && p.outcome() != io.durablerunbooks.report.Outcome.RUNNING) {
        return p;
      }
      Thread.sleep(250);
    }
    throw new AssertionError("the run did not end within 5 minutes");
  }
}
