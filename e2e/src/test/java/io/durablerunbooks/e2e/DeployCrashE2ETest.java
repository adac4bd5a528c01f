package io.durablerunbooks.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.durablerunbooks.deploy.DeployWorkflow;
import io.durablerunbooks.report.RunbookReport;
import io.durablerunbooks.report.StepRecord;
import io.durablerunbooks.report.StepStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill -9 the worker while a deploy's install hook runs on a host: a new worker finishes the
 * deploy, and no host is ever without a working {@code current}.
 */
class DeployCrashE2ETest {

  private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  private static final String QUEUE = "e2e-deploy-crash-" + RUN;

  @TempDir static Path dir;
  private static E2eSession e2e;

  @BeforeAll
  static void stack() throws Exception {
    e2e = E2eSession.withoutWorker(QUEUE);
  }

  @AfterAll
  static void cleanUp() throws Exception {
    if (e2e != null) {
      e2e.close();
    }
  }

  @Test
  void aDeployInterruptedByKill9FinishesOnANewWorker() throws Exception {
    String release = "v7-" + RUN;
    String name = "e2e-deploy-crash-" + RUN;
    Path marker = dir.resolve("install-started");
    Path file =
        RunbookYaml.deploy(
            dir, name, release, DemoHosts.artifact(dir, release, Map.of()),
            "touch " + marker + "; sleep 3; bin/build", "{ batchSize: 1 }", List.of(1, 2));
    WorkerProcess first = WorkerProcess.start(QUEUE, dir.resolve("worker-1.log"));
    Cli.Result started = e2e.cli().run("start", file.toString());
    assertThat(started.exitCode()).as(started.all()).isZero();

    long deadline = System.nanoTime() + 120_000_000_000L;
    while (!Files.exists(marker)) {
      assertThat(System.nanoTime()).as("the install hook started within 2 minutes").isLessThan(deadline);
      Thread.sleep(50);
    }
    first.killHard();
    assertThat(DemoHosts.servedVersion(1)).as("web1 still serves while its deploy is interrupted").startsWith("200 ");

    try (WorkerProcess second = WorkerProcess.start(QUEUE, dir.resolve("worker-2.log"))) {
      RunbookReport report = e2e.temporal().newUntypedWorkflowStub("deploy/" + name).getResult(RunbookReport.class);

      assertThat(report.outcome().name()).isEqualTo("SUCCEEDED");
      for (int k : List.of(1, 2)) {
        assertThat(DemoHosts.servedVersion(k)).isEqualTo("200 " + release);
        assertThat(DemoHosts.currentRelease(k)).isEqualTo(release);
      }
      assertThat(report.steps()).filteredOn(s -> s.name().equals("web1: Install")).extracting(StepRecord::status)
          .containsExactly(StepStatus.SUCCEEDED);
      assertThat(e2e.highestAttempt("deploy/" + name, "Install")).as("an install ran again on the new worker").isGreaterThanOrEqualTo(2);
      assertThat(e2e.temporal().newWorkflowStub(DeployWorkflow.class, "deploy/" + name).progress().outcome().name())
          .isEqualTo("SUCCEEDED");
    }
  }
}
