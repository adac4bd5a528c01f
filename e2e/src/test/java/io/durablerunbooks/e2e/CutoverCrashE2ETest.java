package io.durablerunbooks.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.durablerunbooks.report.RunbookReport;
import io.durablerunbooks.report.StepRecord;
import io.durablerunbooks.report.StepStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill -9 the worker while the application reloads, under a write load through it: once inside the
 * write-unavailability window (the switch to PostgreSQL), once inside the emergency rollback (the
 * switch back to MySQL). Each time a second worker takes the step over and the run ends as it
 * would have, with every write the application acknowledged where it must be.
 */
class CutoverCrashE2ETest {

  private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  private static final String QUEUE = "e2e-cutover-crash-" + RUN;

  @TempDir static Path dir;
  private static E2eSession e2e;
  private static Cutovers cutovers;
  /** The workers that took over, stopped after each test. */
  private final List<WorkerProcess> workers = new ArrayList<>();

  @BeforeAll
  static void stack() throws Exception {
    e2e = E2eSession.withoutWorker(QUEUE);
    cutovers = new Cutovers(e2e);
  }

  @AfterEach
  void stopWorkers() throws InterruptedException {
    for (WorkerProcess w : workers) {
      w.close();
    }
  }

  @AfterAll
  static void leaveTheStoreAsFound() throws Exception {
    Cutovers.leaveTheStoreAsFound(e2e);
  }

  @Test
  void aWorkerKilledWhileTheApplicationIsSwitchedIsReplacedAndTheCutoverLosesNoWrite() throws Exception {
    String name = "e2e-cutover-crash-" + RUN;
    String id = "cutover/" + name;
    try (StoreApp.Load load = cutoverKilledDuringReload(name, "postgresql", false)) {
      RunbookReport report = endOf(id, load);

      assertThat(report.outcome().name()).as(report.reason()).isEqualTo("SUCCEEDED");
      assertRanAgain(id, "SwitchApplication");
      assertThat(StoreApp.engine()).isEqualTo("postgresql");
      assertThat(StoreApp.mysqlReadOnly()).isTrue();
      assertThat(Files.readString(StoreApp.ENV_FILE.resolveSibling(StoreApp.ENV_FILE.getFileName() + ".before-cutover")))
          .as("the kept env file is the one from before the cutover, not the switched one").contains("DATABASE_URL=mysql://");
      assertEveryAcknowledgedWriteIn(StoreApp.loadInPostgres(), load);
      assertThat(report.facts()).containsEntry("table.items.verdict", "equal");
      cutovers.assertNoSecretIn(id);
    } finally {
      terminateWatchAndRetention(id);
    }
  }

  @Test
  void aWorkerKilledWhileTheRollbackSwitchesBackIsReplacedAndTheRollbackLosesNoWrite() throws Exception {
    String name = "e2e-cutover-crash-back-" + RUN;
    String id = "cutover/" + name;
    try (StoreApp.Load load = cutoverKilledDuringReload(name, "mysql", true)) {
      RunbookReport report = endOf(id, load);

      assertThat(report.outcome().name()).as(report.reason()).isEqualTo("ROLLED_BACK");
      assertThat(report.reason()).contains("injected failure");
      assertRanAgain(id, "SwitchApplication");
      assertThat(report.steps()).filteredOn(s -> s.name().equals("SwitchApplicationBack")).extracting(StepRecord::status)
          .containsExactly(StepStatus.COMPENSATED);
      assertThat(StoreApp.engine()).isEqualTo("mysql");
      assertThat(StoreApp.mysqlReadOnly()).isFalse();
      assertEveryAcknowledgedWriteIn(StoreApp.loadInMySql(), load);
      cutovers.assertNoSecretIn(id);
    }
  }

  /**
   * A fresh store copied to PostgreSQL, then a cutover under a load through the application whose
   * reload, when the env file names {@code slowOn}, takes 4 s; the first worker is killed in that
   * reload and a second one started. The load is still running when it is returned.
   *
   * @param failAfterSwitch make the check after the switch fail, so the emergency rollback runs
   */
  private StoreApp.Load cutoverKilledDuringReload(String name, String slowOn, boolean failAfterSwitch) throws Exception {
    StoreApp.reset(20_000);
    Path reloading = dir.resolve("reloading-" + name);
    Path reload = dir.resolve("reload-" + name);
    Files.writeString(reload, """
        #!/bin/sh
        if grep -q '^DATABASE_URL=%s://' %s; then
          touch %s
          sleep 4
        fi
        exec %s reload
        """.formatted(slowOn, StoreApp.ENV_FILE, reloading, Stack.DIR.resolve("store1/bin/service")));
    reload.toFile().setExecutable(true);
    WorkerProcess first = WorkerProcess.start(QUEUE, dir.resolve(name + "-worker-1.log"));
    try {
      cutovers.copyStore(name);
      if (failAfterSwitch) {
        StoreApp.rejectCheckWritesOnPostgres();
      }
      StoreApp.Load load = new StoreApp.Load();
      Cli.Result started = cutovers.start("local-cutover.yaml", "name=" + name, "application.reload=" + reload);
      assertThat(started.exitCode()).as(started.all()).isZero();
      cutovers.approve("cutover/" + name, "ApproveCutover");
      long deadline = System.nanoTime() + 180_000_000_000L;
      while (!Files.exists(reloading)) {
        assertThat(System.nanoTime()).as("the reload onto " + slowOn + " began within 3 minutes of GO").isLessThan(deadline);
        Thread.sleep(20);
      }
      first.killHard();
      assertThat(StoreApp.mysqlReadOnly()).as("killed while MySQL is read-only").isTrue();
      workers.add(WorkerProcess.start(QUEUE, dir.resolve(name + "-worker-2.log")));
      return load;
    } finally {
      first.killHard();
    }
  }

  /** The run's report once it ended; the load stopped two seconds later. */
  private static RunbookReport endOf(String id, StoreApp.Load load) throws InterruptedException {
    RunbookReport report = cutovers.result(id);
    Thread.sleep(2_000);
    load.close();
    return report;
  }

  /** Every insert the application acknowledged is among {@code rows}, and no delete it acknowledged is undone. */
  private static void assertEveryAcknowledgedWriteIn(Set<String> rows, StoreApp.Load load) {
    assertThat(load.acknowledged.get()).as("the load ran").isGreaterThan(50);
    assertThat(rows).as("every insert the application acknowledged").containsAll(load.kept());
    assertThat(rows).as("no delete the application acknowledged undone").doesNotContainAnyElementsOf(load.deleted);
  }

  private static void assertRanAgain(String id, String activity) {
    assertThat(e2e.highestAttempt(id, activity)).as(activity + " ran again on the new worker").isGreaterThanOrEqualTo(2);
  }

  /** The watch and the retention outlive a successful run; nothing polls this queue after the test. */
  private static void terminateWatchAndRetention(String id) {
    for (String child : new String[] {id + "/watch", id + "/mysql-retention"}) {
      try {
        e2e.temporal().newUntypedWorkflowStub(child).terminate("end of the test");
      } catch (RuntimeException e) {
        // Not started: the cutover did not get that far, which the assertions report.
      }
    }
  }
}
