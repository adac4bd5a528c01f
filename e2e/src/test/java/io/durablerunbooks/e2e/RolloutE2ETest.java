package io.durablerunbooks.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.durablerunbooks.report.Outcome;
import io.durablerunbooks.report.RunbookProgress;
import io.durablerunbooks.runbook.RunbookWorkflow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Traffic shifts V1 -> V2 through the local nginx (scripts/nginx.sh), over SSH to lb1, with the
 * project's probe as the metrics source, through the CLI and a real worker.
 */
class RolloutE2ETest {

  private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  private static final String QUEUE = "e2e-rollout-" + RUN;
  private static final String PROBE = RolloutStack.URL + "/api/version";

  @TempDir static Path dir;
  private static E2eSession e2e;
  private static Cli cli;

  @BeforeAll
  static void stackAndWorker() throws Exception {
    e2e = E2eSession.withWorker(QUEUE, dir.resolve("worker.log"));
    cli = e2e.cli();
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

  private static JsonNode report(String id) throws Exception {
    return new ObjectMapper().readTree(cli.run("report", id, "--format", "json").out());
  }

  /** Waits until the run has started a step whose name starts with {@code prefix}. */
  private static void awaitStep(String id, String prefix) throws InterruptedException {
    RunbookWorkflow run = e2e.temporal().newWorkflowStub(RunbookWorkflow.class, id);
    for (int i = 0; i < 600; i++) {
      try {
        if (run.progress().steps().stream().anyMatch(s -> s.name().startsWith(prefix))) {
          return;
        }
      } catch (RuntimeException notYetStarted) {
        // The query fails until the run's first workflow task ran.
      }
      Thread.sleep(100);
    }
    throw new AssertionError(id + " never reached a step " + prefix);
  }

  /**
   * Waits until the run's approval gate {@code gate} is open; a run that ended before fails the
   * wait at once with its outcome and reason.
   */
  private static void awaitGate(String id, String gate) throws Exception {
    RunbookWorkflow run = e2e.temporal().newWorkflowStub(RunbookWorkflow.class, id);
    for (int i = 0; i < 600; i++) {
      RunbookProgress progress = null;
      try {
        progress = run.progress();
      } catch (RuntimeException notYetStarted) {
        // The query fails until the run's first workflow task ran.
      }
      if (progress != null && progress.gate().open() && progress.steps().stream().anyMatch(s -> s.name().equals(gate))) {
        return;
      }
      if (progress != null && progress.outcome() != Outcome.RUNNING) {
        throw new AssertionError(id + " ended " + progress.outcome() + " before the gate " + gate + ": "
            + report(id).path("reason").asText() + "; steps " + progress.steps());
      }
      Thread.sleep(100);
    }
    throw new AssertionError(id + " never opened the gate " + gate);
  }

  @Test
  void aHealthyRolloutGoesTo100PercentAndTheMeasuredSplitMatchesEachWeight() throws Exception {
    String name = "e2e-rollout-" + RUN;
    Cli.Result result = cli.run("start", RunbookYaml.rollout(dir, name, "[10, 25, 50, 75, 100]", PROBE, "").toString(), "--watch");

    assertThat(result.exitCode()).as(result.all()).isZero();
    JsonNode facts = report("rollout/" + name).path("facts");
    for (int weight : new int[] {10, 25, 50, 75, 100}) {
      assertThat(facts.path("split." + weight).asText()).as("the split at %d %% was measured and within 10 points", weight)
          .startsWith("V2 answered ").contains("(weight " + weight + " %, tolerance 10 points)");
    }
    assertThat(RolloutStack.configuredWeight()).isEqualTo(100);
    assertThat(RolloutStack.sample(50)).containsOnly(Map.entry("200 rollout_v2", 50));
  }

  @Test
  void aSlowV2At25PercentRollsBackToAllV1InOneReloadWithoutAFailedRequest() throws Exception {
    String name = "e2e-rollout-slow-" + RUN;
    String id = "rollout/" + name;
    Path file = RunbookYaml.rollout(dir, name, "[10, 25, 50, 100]", PROBE, "");
    Cli.Result result;
    try (RolloutStack.Load load = new RolloutStack.Load(4)) {
      assertThat(cli.run("start", file.toString()).exitCode()).isZero();
      awaitStep(id, "SetTrafficWeight 25%");
      RolloutStack.v2("SLOW_MS", "800\n");
      result = cli.run("watch", id);
      load.close();
      assertThat(load.answers().keySet()).as("every request through the reloads answered 200: %s", load.answers())
          .allMatch(a -> a.startsWith("200 "));
    }

    assertThat(result.exitCode()).as(result.all()).isEqualTo(3);
    JsonNode report = report(id);
    assertThat(report.path("outcome").asText()).isEqualTo("ROLLED_BACK");
    assertThat(report.path("reason").asText()).contains("guard breach at 25 %", "V2 p95", "over the guard's 500 ms");
    assertThat(report.path("facts").path("rollback.breachToAllV1Millis").asLong()).isPositive();
    assertThat(RolloutStack.configuredWeight()).isZero();
    assertThat(RolloutStack.sample(50)).containsOnly(Map.entry("200 rollout_v1", 50));
  }

  @Test
  void errorsFromV2RollBackOnTheErrorRateGuard() throws Exception {
    String name = "e2e-rollout-errors-" + RUN;
    RolloutStack.v2("FAIL_ROUTES", "/api/version\n");

    Cli.Result result = cli.run("start", RunbookYaml.rollout(dir, name, "[10, 100]", PROBE, "").toString(), "--watch");

    assertThat(result.exitCode()).as(result.all()).isEqualTo(3);
    assertThat(report("rollout/" + name).path("reason").asText()).contains("guard breach at 10 %", "V2 error rate", "over the guard's 5.0 %");
    assertThat(RolloutStack.configuredWeight()).isZero();
  }

  @Test
  void withTheMetricsSourceDownNoGatePassesAndTheRolloutRollsBack() throws Exception {
    String name = "e2e-rollout-blind-" + RUN;

    Cli.Result result =
        cli.run("start", RunbookYaml.rollout(dir, name, "[10, 100]", "http://127.0.0.1:1/api/version", "").toString(), "--watch");

    assertThat(result.exitCode()).as(result.all()).isEqualTo(3);
    assertThat(report("rollout/" + name).path("reason").asText()).contains("no data for V2");
    assertThat(RolloutStack.configuredWeight()).isZero();
  }

  @Test
  void aConfigurationNginxRefusesLeavesTheLiveTrafficAsItWas() throws Exception {
    String name = "e2e-rollout-broken-" + RUN;
    String id = "rollout/" + name;
    assertThat(cli.run("start", RunbookYaml.rollout(dir, name, "[10, 50, 100]", PROBE, "").toString()).exitCode()).isZero();
    awaitStep(id, "Observe 10%");
    Files.writeString(RolloutStack.SPLIT_FILE.resolveSibling("zz-broken.conf"), "this is not nginx;\n");

    Cli.Result result = cli.run("watch", id);

    assertThat(result.exitCode()).as(result.all()).isEqualTo(1);
    JsonNode report = report(id);
    assertThat(report.path("reason").asText()).contains("nginx refused the split for V2 at 50 %", "the previous file is back");
    assertThat(RolloutStack.configuredWeight()).as("the file of the 10 %% step is still there").isEqualTo(10);
    Map<String, Integer> live = RolloutStack.sample(200);
    assertThat(live.getOrDefault("200 rollout_v2", 0)).as("still about 10 %% on V2: %s", live).isBetween(4, 40);
  }

  /** The local Prometheus (scripts/prometheus.sh) scrapes the backends every second. */
  private static final String PROMETHEUS =
      """
      metrics:
        source: prometheus
        url: %s
        latency: 'histogram_quantile(0.95, sum by (le) (rate(demo_http_request_duration_seconds_bucket{upstream="{upstream}"}[{window}])))'
        requests: 'sum(increase(demo_http_requests_total{upstream="{upstream}"}[{window}]))'
        errors: 'sum(increase(demo_http_requests_total{upstream="{upstream}",code=~"5.."}[{window}]))'
      """
          .formatted(System.getenv().getOrDefault("RUNBOOKS_PROMETHEUS_URL", "http://127.0.0.1:19090"));

  @Test
  void withPrometheusAsTheSourceASlowV2IsSeenInTheHistogramAndRolledBack() throws Exception {
    String healthy = "e2e-rollout-prom-" + RUN;
    String slow = "e2e-rollout-prom-slow-" + RUN;
    Cli.Result first;
    Cli.Result second;
    try (RolloutStack.Load load = new RolloutStack.Load(4)) {
      first = cli.run("start", RunbookYaml.rollout(dir, healthy, "[25, 100]", PROBE, PROMETHEUS, "4s", "4s").toString(), "--watch");
      RolloutStack.reset();
      String id = "rollout/" + slow;
      assertThat(cli.run("start", RunbookYaml.rollout(dir, slow, "[25, 100]", PROBE, PROMETHEUS, "4s", "20s").toString()).exitCode())
          .isZero();
      awaitStep(id, "Observe 25%");
      RolloutStack.v2("SLOW_MS", "800\n");
      second = cli.run("watch", id);
    }

    assertThat(first.exitCode()).as(first.all()).isZero();
    JsonNode observations = report("rollout/" + healthy).path("steps");
    assertThat(observations.findValuesAsText("detail")).filteredOn(d -> d.contains(" requests, p95 ")).isNotEmpty()
        .allSatisfy(d -> assertThat(d).contains("guard holds").doesNotContain("no data"));
    assertThat(second.exitCode()).as(second.all()).isEqualTo(3);
    assertThat(report("rollout/" + slow).path("reason").asText()).contains("guard breach at 25 %", "V2 p95", "over the guard's 500 ms");
    assertThat(RolloutStack.configuredWeight()).isZero();
  }

  @Test
  void segmentsRouteByHeaderAheadOfTheSplitAndACancelPutsEveryoneBackOnV1() throws Exception {
    String name = "e2e-rollout-segments-" + RUN;
    String id = "rollout/" + name;
    String segments = """
        segments:
          header: X-Customer-Tier
          values: [{ value: beta, weight: 100 }, { value: enterprise, weight: 0 }]
        """;
    assertThat(cli.run("start", RunbookYaml.rollout(dir, name, "[25, 100]", PROBE, segments, "2s", "60s").toString()).exitCode())
        .isZero();
    awaitStep(id, "Observe 25%");

    assertThat(RolloutStack.sample(40, "X-Customer-Tier", "beta")).containsOnly(Map.entry("200 rollout_v2", 40));
    assertThat(RolloutStack.sample(40, "X-Customer-Tier", "enterprise")).containsOnly(Map.entry("200 rollout_v1", 40));
    Map<String, Integer> others = RolloutStack.sample(200);
    assertThat(others.getOrDefault("200 rollout_v2", 0)).as("the rest follows the step's 25 %%: %s", others).isBetween(20, 80);

    assertThat(cli.run("cancel", id).exitCode()).isZero();
    Cli.Result watched = cli.run("watch", id);

    assertThat(watched.exitCode()).as(watched.all()).isEqualTo(3);
    assertThat(RolloutStack.configuredWeight()).isZero();
    assertThat(RolloutStack.sample(20, "X-Customer-Tier", "beta")).containsOnly(Map.entry("200 rollout_v1", 20));
  }

  @Test
  void aNoGoAtAManualPromotionThroughTheCliPutsAllTrafficBackOnV1() throws Exception {
    String name = "e2e-rollout-manual-" + RUN;
    String id = "rollout/" + name;
    assertThat(cli.run("start", RunbookYaml.rollout(dir, name, "[10, 100]", PROBE, "promote: manual").toString()).exitCode()).isZero();
    awaitGate(id, "Promote100");

    Cli.Result rejected = cli.run("reject", id, "--as", "alice", "--comment", "numbers look odd");
    Cli.Result result = cli.run("watch", id);

    assertThat(rejected.exitCode()).as(rejected.all()).isZero();
    assertThat(result.exitCode()).as(result.all()).isEqualTo(3);
    assertThat(report(id).path("reason").asText()).contains("promotion to 100 % refused");
    assertThat(RolloutStack.configuredWeight()).isZero();
  }
}
