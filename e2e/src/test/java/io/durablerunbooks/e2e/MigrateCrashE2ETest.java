package io.durablerunbooks.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.durablerunbooks.report.RunbookReport;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * migrate-data through the CLI and a real worker: the dry run prints the DDL and creates nothing;
 * kill -9 of the worker in the middle of a large table's copy, and a new worker finishes it with
 * every row there once, which the run's own cross-engine verification and an independent count
 * confirm. The MariaDB password never appears in the history.
 */
class MigrateCrashE2ETest {

  private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  private static final String QUEUE = "e2e-migrate-" + RUN;
  private static final String SOURCE = "e2e_migrate_" + RUN;
  private static final String TARGET = "e2e_migrate_" + RUN;
  private static final int ROWS = 400_000;

  @TempDir static Path dir;
  private static E2eSession e2e;

  @BeforeAll
  static void largeSource() throws Exception {
    e2e = E2eSession.withoutWorker(QUEUE);
    try (Connection c = Stack.connectMariadb("");
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + SOURCE + " CHARACTER SET utf8mb4");
      s.execute("USE " + SOURCE);
      s.execute("CREATE TABLE events (id BIGINT PRIMARY KEY AUTO_INCREMENT, account INT NOT NULL, amount DECIMAL(12,2),"
          + " happened_at DATETIME(6) NOT NULL, kind ENUM('order','refund','login') NOT NULL, payload TEXT,"
          + " KEY ix_account (account))");
      s.execute("INSERT INTO events SELECT seq, seq % 5000, seq / 100, '2024-01-01' + INTERVAL seq SECOND,"
          + " ELT(1 + seq % 3, 'order', 'refund', 'login'), CONCAT(TO_BASE64(RANDOM_BYTES(120)), ' ✓') FROM seq_1_to_" + ROWS);
      s.execute("CREATE TABLE accounts (id INT PRIMARY KEY, profile JSON, active TINYINT(1) NOT NULL DEFAULT 1)");
      s.execute("INSERT INTO accounts SELECT seq, JSON_OBJECT('name', CONCAT('acct ', seq), 'score', seq / 7), seq % 2"
          + " FROM seq_1_to_5000");
    }
    try (Connection c = Stack.connect("postgres");
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + TARGET);
    }
  }

  @AfterAll
  static void cleanUp() throws Exception {
    if (e2e != null) {
      e2e.close();
    }
    try (Connection c = Stack.connectMariadb("");
        Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + SOURCE);
    }
    try (Connection c = Stack.connect("postgres");
        Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + TARGET + " WITH (FORCE)");
    }
  }

  private static long targetRows() throws SQLException {
    try (Connection c = Stack.connect(TARGET);
        Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT to_regclass('public.events') IS NULL")) {
        rs.next();
        if (rs.getBoolean(1)) {
          return 0;
        }
      }
      try (ResultSet rs = s.executeQuery("SELECT count(*) FROM public.events")) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** A COPY into the big table running right now: a range is in the middle of its transaction. */
  private static boolean copyInFlight() throws SQLException {
    try (Connection c = Stack.connect(TARGET);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            + " AND state = 'active' AND query LIKE 'COPY \"public\".\"events\"%'")) {
      rs.next();
      return rs.getLong(1) > 0;
    }
  }

  @Test
  void aCopyInterruptedByKill9FinishesOnANewWorkerWithEveryRowOnce() throws Exception {
    Cli cli = e2e.cli();
    String name = "e2e-migrate-" + RUN;
    Path file = RunbookYaml.migrate(dir, name, SOURCE, TARGET, 50_000);

    try (WorkerProcess dry = WorkerProcess.start(QUEUE, dir.resolve("worker-dry.log"))) {
      Cli.Result plan = cli.run("start", file.toString(), "--dry-run", "--watch");
      assertThat(plan.exitCode()).as(plan.all()).isZero();
      assertThat(plan.all()).contains("CREATE TABLE \"public\".\"events\"", "\"happened_at\" timestamp(6) without time zone NOT NULL",
          "CREATE INDEX \"ix_account\"");
      assertThat(targetRows()).as("the dry run created nothing").isZero();
    }

    WorkerProcess first = WorkerProcess.start(QUEUE, dir.resolve("worker-1.log"));
    Cli.Result started = cli.run("start", file.toString());
    assertThat(started.exitCode()).as(started.all()).isZero();
    long deadline = System.nanoTime() + 180_000_000_000L;
    while (targetRows() < 50_000 || !copyInFlight()) {
      assertThat(System.nanoTime()).as("a range committed and the next one copying within 3 minutes").isLessThan(deadline);
      Thread.sleep(20);
    }
    first.killHard();
    assertThat(targetRows()).as("killed in the middle of the table").isLessThan(ROWS);

    try (WorkerProcess second = WorkerProcess.start(QUEUE, dir.resolve("worker-2.log"))) {
      RunbookReport report = e2e.temporal().newUntypedWorkflowStub("migrate-data/" + name).getResult(RunbookReport.class);

      assertThat(report.outcome().name()).as(report.reason()).isEqualTo("SUCCEEDED");
      assertThat(report.facts())
          .containsEntry("table.events.rows", String.valueOf(ROWS))
          .containsEntry("table.events.verdict", "equal")
          .containsEntry("table.accounts.verdict", "equal");
      assertThat(targetRows()).isEqualTo(ROWS);
      assertThat(e2e.highestAttempt("migrate-data/" + name, "CopyChunk")).as("a range ran again on the new worker").isGreaterThanOrEqualTo(2);
      assertThat(e2e.historyBytes("migrate-data/" + name)).doesNotContain(Stack.secret("mariadb-password"));
    }
  }
}
