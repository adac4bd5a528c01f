package io.durablerunbooks.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.durablerunbooks.report.RunbookReport;
import io.durablerunbooks.report.StepRecord;
import io.durablerunbooks.report.StepStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill -9 the worker inside the write-unavailability window, while the application is being
 * switched to PostgreSQL under a write load: a new worker takes the step over and the cutover
 * finishes, with every write the application acknowledged in PostgreSQL.
 */
class CutoverCrashE2ETest {

  private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  private static final String QUEUE = "e2e-cutover-crash-" + RUN;

  @TempDir static Path dir;
  private static E2eSession e2e;
  private static Cutovers cutovers;

  @BeforeAll
  static void stack() throws Exception {
    e2e = E2eSession.withoutWorker(QUEUE);
    cutovers = new Cutovers(e2e);
  }

  @AfterAll
  static void leaveTheStoreAsFound() throws Exception {
    Cutovers.leaveTheStoreAsFound(e2e);
  }

  @Test
  void aWorkerKilledWhileTheApplicationIsSwitchedIsReplacedAndTheCutoverLosesNoWrite() throws Exception {
    StoreApp.reset(20_000);
    String name = "e2e-cutover-crash-" + RUN;
    String id = "cutover/" + name;
    Path reloading = dir.resolve("reloading");
    Path reload = dir.resolve("reload");
    Files.writeString(reload, """
        #!/bin/sh
        touch %s
        sleep 4
        exec %s reload
        """.formatted(reloading, Stack.DIR.resolve("store1/bin/service")));
    reload.toFile().setExecutable(true);

    WorkerProcess first = WorkerProcess.start(QUEUE, dir.resolve("worker-1.log"));
    try {
      cutovers.copyStore(name);
      aCutoverUnderLoadKilledInTheSwitch(name, reload, reloading, first);
    } finally {
      first.killHard();
      // The watch and the retention outlive the run; nothing polls this queue after the test.
      for (String child : new String[] {id + "/watch", id + "/mysql-retention"}) {
        try {
          e2e.temporal().newUntypedWorkflowStub(child).terminate("end of the test");
        } catch (RuntimeException e) {
          // Not started: the cutover did not get that far, which the assertions above report.
        }
      }
    }
  }

  private void aCutoverUnderLoadKilledInTheSwitch(String name, Path reload, Path reloading, WorkerProcess first) throws Exception {
    String id = "cutover/" + name;
    try (StoreApp.Load load = new StoreApp.Load()) {
      Cli.Result started = cutovers.start("local-cutover.yaml", "name=" + name, "application.reload=" + reload);
      assertThat(started.exitCode()).as(started.all()).isZero();
      cutovers.approve(id, "ApproveCutover");
      long deadline = System.nanoTime() + 180_000_000_000L;
      while (!Files.exists(reloading)) {
        assertThat(System.nanoTime()).as("the switch began within 3 minutes of GO").isLessThan(deadline);
        Thread.sleep(20);
      }
      first.killHard();
      assertThat(StoreApp.mysqlReadOnly()).as("killed inside the window").isTrue();

      try (WorkerProcess second = WorkerProcess.start(QUEUE, dir.resolve("worker-2.log"))) {
        RunbookReport report = cutovers.result(id);
        Thread.sleep(2_000);
        load.close();

        assertThat(report.outcome().name()).as(report.reason()).isEqualTo("SUCCEEDED");
        assertThat(report.steps()).filteredOn(s -> s.name().equals("SwitchApplication")).extracting(StepRecord::status)
            .containsExactly(StepStatus.SUCCEEDED);
        assertThat(e2e.highestAttempt(id, "SwitchApplication")).as("the switch ran again on the new worker").isGreaterThanOrEqualTo(2);
        assertThat(StoreApp.engine()).isEqualTo("postgresql");
        assertThat(StoreApp.mysqlReadOnly()).isTrue();
        assertThat(Files.readString(StoreApp.ENV_FILE.resolveSibling(StoreApp.ENV_FILE.getFileName() + ".before-cutover")))
            .as("the kept env file is the one from before the cutover, not the switched one").contains("DATABASE_URL=mysql://");
        Set<String> inPostgres = StoreApp.loadInPostgres();
        assertThat(load.acknowledged.get()).as("the load ran").isGreaterThan(50);
        assertThat(inPostgres).as("every insert the application acknowledged").containsAll(load.kept());
        assertThat(inPostgres).as("no delete the application acknowledged undone").doesNotContainAnyElementsOf(load.deleted);
        assertThat(report.facts()).containsEntry("table.items.verdict", "equal");
        cutovers.assertNoSecretIn(id);
      }
    }
  }
}
