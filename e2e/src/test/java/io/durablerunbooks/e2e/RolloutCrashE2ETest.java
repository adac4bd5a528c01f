package io.durablerunbooks.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.durablerunbooks.report.RunbookReport;
import io.durablerunbooks.runbook.RunbookWorkflow;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kill -9 the worker while a rollout bakes: a new worker carries on at the right weight. */
class RolloutCrashE2ETest {

  private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  private static final String QUEUE = "e2e-rollout-crash-" + RUN;

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

  @BeforeEach
  @AfterEach
  void allTrafficOnHealthyV1() throws Exception {
    RolloutStack.reset();
  }

  @Test
  void aRolloutInterruptedByKill9DuringABakeCarriesOnWithTheRightWeights() throws Exception {
    String name = "e2e-rollout-crash-" + RUN;
    String id = "rollout/" + name;
    Path file = RunbookYaml.rollout(dir, name, "[25, 100]", RolloutStack.URL + "/api/version", "");
    WorkerProcess first = WorkerProcess.start(QUEUE, dir.resolve("worker-1.log"));
    assertThat(e2e.cli().run("start", file.toString()).exitCode()).isZero();

    RunbookWorkflow run = e2e.temporal().newWorkflowStub(RunbookWorkflow.class, id);
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (run.progress().steps().stream().noneMatch(s -> s.name().equals("Observe 25% #1"))) {
      assertThat(System.nanoTime()).as("the bake at 25 % began within 2 minutes").isLessThan(deadline);
      Thread.sleep(50);
    }
    first.killHard();
    assertThat(RolloutStack.configuredWeight()).as("nginx keeps the split while no worker runs").isEqualTo(25);

    try (WorkerProcess second = WorkerProcess.start(QUEUE, dir.resolve("worker-2.log"))) {
      RunbookReport report = e2e.temporal().newUntypedWorkflowStub(id).getResult(RunbookReport.class);

      assertThat(report.outcome().name()).isEqualTo("SUCCEEDED");
      assertThat(report.facts()).containsKeys("split.25", "split.100").containsEntry("weight.after", "100 %");
      assertThat(e2e.highestAttempt(id, "Observe")).as("the observation cut by the kill ran again").isGreaterThanOrEqualTo(2);
      assertThat(RolloutStack.configuredWeight()).isEqualTo(100);
      assertThat(RolloutStack.sample(20)).containsOnly(Map.entry("200 rollout_v2", 20));
    }
  }
}
