package io.durablerunbooks.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.durablerunbooks.report.Outcome;
import io.durablerunbooks.report.RunbookReport;
import io.temporal.client.schedules.ScheduleActionExecutionStartWorkflow;
import io.temporal.client.schedules.ScheduleActionResult;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Schedule created through the CLI on the Temporal dev server starts a backup on its own; the
 * Temporal UI, opened in a real headless browser, shows that run's named steps.
 */
class ScheduleAndUiE2ETest {

  private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  private static final String QUEUE = "e2e-sched-" + RUN;
  private static final String SOURCE = "e2e_sched_" + RUN;
  private static final String PREFIX = "e2e-sched-" + RUN;

  @TempDir static Path dir;
  private static E2eSession e2e;
  private static Cli cli;

  @BeforeAll
  static void stackAndWorker() throws Exception {
    e2e = E2eSession.withWorker(QUEUE, dir.resolve("worker.log"));
    cli = e2e.cli();
    SampleDatabase.create(SOURCE, 500);
  }

  @AfterAll
  static void cleanUp() throws Exception {
    if (e2e != null) {
      e2e.close();
    }
    SampleDatabase.drop(SOURCE);
  }

  @Test
  void aScheduleCreatedByTheCliStartsABackupThatTheUiShowsStepByStep() throws Exception {
    String name = "e2e-sched-" + RUN;
    String scheduleId = "e2e-schedule-" + RUN;
    Path file = RunbookYaml.backup(dir, name, SOURCE, PREFIX);
    Cli.Result created = cli.run("schedule", "create", file.toString(), "--every", "10s", "--id", scheduleId);
    assertThat(created.exitCode()).as(created.all()).isZero();
    try {
      Cli.Result described = cli.run("schedule", "describe", scheduleId);
      assertThat(described.out()).contains("SKIP").contains("BackupWorkflow");

      ScheduleActionExecutionStartWorkflow started = firstAction(scheduleId);
      assertThat(started.getWorkflowId()).startsWith("backup/" + name);
      RunbookReport report =
          e2e.temporal().newUntypedWorkflowStub(started.getWorkflowId()).getResult(RunbookReport.class);
      assertThat(report.outcome()).isEqualTo(Outcome.SUCCEEDED);
      assertThat(report.initiator()).isEqualTo("scheduler");

      String page = temporalUi(started.getWorkflowId(), started.getFirstExecutionRunId());
      assertThat(page).contains(started.getWorkflowId()).contains("BackupWorkflow");
      assertThat(page).contains("CheckDatabase", "CheckStorage", "DumpAndUpload", "VerifyStoredBackup", "WriteManifest", "ApplyRetention");
    } finally {
      Cli.Result deleted = cli.run("schedule", "delete", scheduleId);
      assertThat(deleted.exitCode()).as(deleted.all()).isZero();
    }
  }

  /** Waits for the schedule's first run, which it starts by itself (no trigger). */
  private ScheduleActionExecutionStartWorkflow firstAction(String scheduleId) throws InterruptedException {
    for (int i = 0; i < 180; i++) {
      List<ScheduleActionResult> actions = e2e.schedules().getHandle(scheduleId).describe().getInfo().getRecentActions();
      if (!actions.isEmpty()) {
        return (ScheduleActionExecutionStartWorkflow) actions.get(0).getAction();
      }
      Thread.sleep(500);
    }
    throw new AssertionError("the schedule started no workflow within 90 s");
  }

  /** The history page of the dev server's UI as headless Chromium renders it (after its scripts ran). */
  private static String temporalUi(String workflowId, String runId) throws Exception {
    Path chromium = Path.of("/usr/bin/chromium");
    assertThat(chromium).as("Chromium: install it with scripts/stack.sh up --with-test-tools").exists();
    String url =
        "http://127.0.0.1:8233/namespaces/default/workflows/"
            + URLEncoder.encode(workflowId, StandardCharsets.UTF_8)
            + "/" + runId + "/history";
    Path profile = Files.createTempDirectory(dir, "chromium");
    Path dom = dir.resolve("ui-" + runId + ".html");
    Process p =
        new ProcessBuilder(
                chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                "--user-data-dir=" + profile, "--virtual-time-budget=15000", "--dump-dom", url)
            .redirectOutput(dom.toFile())
            .redirectError(dir.resolve("chromium.log").toFile())
            .start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("chromium finished").isTrue();
    return Files.readString(dom);
  }
}
