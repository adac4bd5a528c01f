package io.durablerunbooks.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import io.durablerunbooks.approval.ApprovalDecision;
import io.durablerunbooks.approval.Verdict;
import io.durablerunbooks.notify.NotifyActivities;
import io.durablerunbooks.report.Outcome;
import io.durablerunbooks.report.RunbookReport;
import io.durablerunbooks.report.StepRecord;
import io.durablerunbooks.report.StepStatus;
import io.durablerunbooks.runbook.ApprovalPolicy;
import io.durablerunbooks.runbook.Await;
import io.durablerunbooks.runbook.Fixtures;
import io.durablerunbooks.runbook.Histories;
import io.durablerunbooks.runbook.Reports;
import io.durablerunbooks.runbook.RunContext;
import io.durablerunbooks.runbook.RunbookKind;
import io.durablerunbooks.secrets.SecretRef;
import io.durablerunbooks.ssh.SshAccess;
import io.durablerunbooks.ssh.SshHost;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RolloutWorkflowTest {

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow =
      TestWorkflowExtension.newBuilder().registerWorkflowImplementationTypes(RolloutWorkflowImpl.class).setDoNotStart(true).build();

  private static final NginxTarget NGINX =
      new NginxTarget(new SshHost("lb1", "10.0.0.5", 22, "deploy"), new SshAccess(SecretRef.of("${env:DEPLOY_KEY}"), "",
          "/etc/runbooks/known_hosts"), "/etc/nginx/conf.d/shop-split.conf", "shop_backend", "shop_v1", "shop_v2", "nginx -t",
          "nginx -s reload", Segments.NONE);
  private static final Duration WINDOW = Duration.ofSeconds(10);

  private final RolloutActivities activities = mock(RolloutActivities.class, withSettings().withoutAnnotations());
  private final NotifyActivities notifier = mock(NotifyActivities.class, withSettings().withoutAnnotations());
  /** V2's weight as the mocked nginx has it, and every weight written, in order. */
  private final AtomicInteger weight = new AtomicInteger();
  private final List<Integer> written = new ArrayList<>();
  /** What V2 shows at a weight; healthy unless a test says otherwise. */
  private IntFunction<VersionStats> v2At = w -> new VersionStats(20, 0, 40);
  private Instant clock = Instant.parse("2026-11-30T10:00:00Z");

  @BeforeEach
  void mockedNginxAndProbe() {
    when(activities.checkNginx(any())).thenReturn(0);
    doAnswer(inv -> {
          int w = inv.getArgument(1);
          weight.set(w);
          written.add(w);
          return new SplitChange(w, clock.plusSeconds(1).toString());
        })
        .when(activities).setWeight(any(), anyInt(), anyString());
    when(activities.sampleSplit(any(), anyString(), anyString(), anyInt()))
        .thenAnswer(inv -> new SplitSample(200 - 2 * weight.get(), 2 * weight.get(), 0));
    when(activities.observe(any(), anyString(), anyString())).thenAnswer(inv -> {
      Instant start = clock;
      clock = clock.plus(WINDOW);
      return new Observation(start.toString(), clock.toString(), new VersionStats(20, 0, 30), v2At.apply(weight.get()), 0, "");
    });
  }

  private static RolloutSpec spec(ApprovalPolicy approval, boolean promoteEachStep, GuardPolicy.MissingData missing) {
    return new RolloutSpec(
        Fixtures.header(RunbookKind.ROLLOUT, "shop-v2", "staging", approval),
        NGINX,
        List.of(10, 50, 100),
        Duration.ofSeconds(30),
        promoteEachStep,
        new ProbeSpec("http://10.0.0.5/api/version", "X-Shop-Backend", 20, WINDOW, Duration.ofSeconds(2)),
        PrometheusSource.NONE,
        new Thresholds(Duration.ofMillis(100), 0.01, 0.99),
        new GuardPolicy(new Thresholds(Duration.ofMillis(150), 0.05, 0.99), Duration.ofSeconds(20), missing),
        5,
        200);
  }

  private RolloutWorkflow start(TestWorkflowEnvironment env, Worker worker, RolloutSpec spec, String id) {
    worker.registerActivitiesImplementations(activities, notifier);
    env.start();
    RolloutWorkflow workflow =
        env.getWorkflowClient()
            .newWorkflowStub(RolloutWorkflow.class, WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(worker.getTaskQueue()).build());
    WorkflowClient.start(workflow::run, new RolloutRequest(new RunContext(Fixtures.INITIATOR, false), spec));
    return workflow;
  }

  private static List<String> details(RunbookReport report, String prefix) {
    return report.steps().stream().filter(s -> s.name().startsWith(prefix)).map(StepRecord::detail).toList();
  }

  @Test
  void aHealthyRolloutGoesStepByStepToAllTrafficOnV2WithEveryEvaluationRecorded(TestWorkflowEnvironment env, Worker worker) {
    start(env, worker, spec(ApprovalPolicy.unattended(), false, GuardPolicy.MissingData.ROLLBACK), "rollout-happy");

    RunbookReport report = Reports.of(env, "rollout-happy");

    assertThat(report.outcome()).isEqualTo(Outcome.SUCCEEDED);
    assertThat(written).containsExactly(10, 50, 100);
    assertThat(Reports.stepNames(report)).containsSubsequence("CheckNginx", "SetTrafficWeight 10%", "ConfirmSplit 10%",
        "Observe 10% #1", "Observe 10% #3", "SetTrafficWeight 50%", "Observe 50% #3", "SetTrafficWeight 100%", "Observe 100% #3");
    assertThat(details(report, "Observe 50%")).hasSize(3)
        .allSatisfy(d -> assertThat(d).contains("V2 20 requests, p95 40 ms (guard 150, gate 100)", "guard holds"));
    assertThat(report.facts()).containsEntry("split.50", "V2 answered 50.0 % of 200 requests (weight 50 %, tolerance 5 points)")
        .containsEntry("gate.100", "passed after 3 observations").containsEntry("weight.after", "100 %");
    Histories.recordIfAsked(env.getWorkflowClient(), "rollout-happy");
  }

  @Test
  void aSlowV2RollsBackOnceTheBreachIsSustainedInOneWrite(TestWorkflowEnvironment env, Worker worker) {
    v2At = w -> w >= 50 ? new VersionStats(100, 0, 300) : new VersionStats(20, 0, 40);
    start(env, worker, spec(ApprovalPolicy.unattended(), false, GuardPolicy.MissingData.ROLLBACK), "rollout-slow");

    RunbookReport report = Reports.ofFailure(env, "rollout-slow");

    assertThat(report.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(report.reason()).contains("guard breach at 50 %", "V2 p95 300 ms over the guard's 150 ms for 20 s");
    assertThat(written).containsExactly(10, 50, 0);
    assertThat(details(report, "Observe 50% #1")).singleElement().asString().contains("breaching", "not yet sustained");
    assertThat(Reports.stepNames(report)).contains("Observe 50% #2", "AllTrafficToV1").doesNotContain("Observe 50% #3");
    assertThat(report.steps()).filteredOn(s -> s.name().equals(ALL_TO_V1)).extracting(StepRecord::status)
        .containsExactly(StepStatus.COMPENSATED);
    assertThat(report.facts()).containsEntry("rollback.breachToAllV1Millis", "21000");
    Histories.recordIfAsked(env.getWorkflowClient(), "rollout-slow");
  }

  private static final String ALL_TO_V1 = "AllTrafficToV1";

  @Test
  void errorsOverTheGuardRollBackAtTheFirstObservation(TestWorkflowEnvironment env, Worker worker) {
    v2At = w -> w >= 50 ? new VersionStats(100, 12, 40) : new VersionStats(20, 0, 40);
    start(env, worker, spec(ApprovalPolicy.unattended(), false, GuardPolicy.MissingData.ROLLBACK), "rollout-errors");

    RunbookReport report = Reports.ofFailure(env, "rollout-errors");

    assertThat(report.reason()).contains("V2 error rate 12.0 % over the guard's 5.0 %");
    assertThat(Reports.stepNames(report)).doesNotContain("Observe 50% #2");
    assertThat(written).containsExactly(10, 50, 0);
  }

  @Test
  void missingDataNeverPassesAndRollsBackWhenConfiguredSo(TestWorkflowEnvironment env, Worker worker) {
    v2At = w -> VersionStats.NONE;
    start(env, worker, spec(ApprovalPolicy.unattended(), false, GuardPolicy.MissingData.ROLLBACK), "rollout-no-data");

    RunbookReport report = Reports.ofFailure(env, "rollout-no-data");

    assertThat(report.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(report.reason()).contains("guard breach at 10 %", "no data for V2");
    assertThat(written).containsExactly(10, 0);
  }

  @Test
  void missingDataPausesTheRolloutUntilItReturnsWhenConfiguredSo(TestWorkflowEnvironment env, Worker worker) {
    AtomicInteger observations = new AtomicInteger();
    v2At = w -> observations.incrementAndGet() <= 4 ? VersionStats.NONE : new VersionStats(20, 0, 40);
    start(env, worker, spec(ApprovalPolicy.unattended(), false, GuardPolicy.MissingData.PAUSE), "rollout-paused");

    RunbookReport report = Reports.of(env, "rollout-paused");

    assertThat(report.outcome()).isEqualTo(Outcome.SUCCEEDED);
    assertThat(details(report, "Observe 10%")).hasSize(5).first().asString().contains("no data for V2: a failing observation");
    assertThat(written).containsExactly(10, 50, 100);
  }

  @Test
  void aFailedNginxTestStopsTheRolloutAndTheUndoPutsV1Back(TestWorkflowEnvironment env, Worker worker) {
    doAnswer(inv -> {
          throw ApplicationFailure.newNonRetryableFailure("lb1: nginx refused the split for V2 at 50 %", "NginxTestFailed");
        })
        .when(activities).setWeight(any(), eq(50), anyString());
    start(env, worker, spec(ApprovalPolicy.unattended(), false, GuardPolicy.MissingData.ROLLBACK), "rollout-bad-config");

    RunbookReport report = Reports.ofFailure(env, "rollout-bad-config");

    assertThat(report.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(report.reason()).contains("nginx refused the split for V2 at 50 %");
    assertThat(written).containsExactly(10, 0);
  }

  @Test
  void aNoGoAtAManualPromotionRollsBack(TestWorkflowEnvironment env, Worker worker) {
    RolloutWorkflow workflow = start(env, worker, spec(Fixtures.approvers("alice"), true, GuardPolicy.MissingData.ROLLBACK), "rollout-nogo");
    Await.until("the first gate opens", () -> workflow.progress().gate().open());
    workflow.decide(new ApprovalDecision("alice", Verdict.GO, "start"));
    env.sleep(Duration.ofMinutes(1));
    Await.until("the promotion gate to 50 % opens",
        () -> workflow.progress().gate().open() && workflow.progress().steps().stream().anyMatch(s -> s.name().equals("Promote50")));

    workflow.decide(new ApprovalDecision("alice", Verdict.NO_GO, "numbers look odd"));

    RunbookReport report = Reports.ofFailure(env, "rollout-nogo");
    assertThat(report.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(report.reason()).contains("promotion to 50 % refused");
    assertThat(written).containsExactly(10, 0);
    verify(activities, times(1)).checkNginx(any());
  }

  @Test
  void aSplitAlreadySendingTrafficToV2IsLeftAlone(TestWorkflowEnvironment env, Worker worker) {
    when(activities.checkNginx(any())).thenReturn(25);
    start(env, worker, spec(ApprovalPolicy.unattended(), false, GuardPolicy.MissingData.ROLLBACK), "rollout-busy");

    RunbookReport report = Reports.ofFailure(env, "rollout-busy");

    assertThat(report.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(report.reason()).contains("already sends 25 % to V2", "nothing was changed");
    verify(activities, never()).setWeight(any(), anyInt(), anyString());
  }

  @Test
  void withPrometheusAsTheSourceTheGuardsReadItsNumbersAndItsSilenceRollsBack(TestWorkflowEnvironment env, Worker worker) {
    RolloutSpec probe = spec(ApprovalPolicy.unattended(), false, GuardPolicy.MissingData.ROLLBACK);
    RolloutSpec spec = new RolloutSpec(probe.header(), probe.nginx(), probe.weights(), probe.bake(), false, probe.probe(),
        new PrometheusSource("http://prometheus:9090", "histogram_quantile(0.95, x{u=\"{upstream}\"}[{window}])",
            "sum(increase(c{u=\"{upstream}\"}[{window}]))", "sum(increase(e{u=\"{upstream}\"}[{window}]))", Duration.ofSeconds(2)),
        probe.promote(), probe.guard(), probe.splitTolerance(), probe.splitSamples());
    AtomicInteger queries = new AtomicInteger();
    when(activities.queryMetrics(any(), anyString(), anyString(), any())).thenAnswer(inv -> {
      Instant start = clock;
      clock = clock.plus(WINDOW);
      return queries.incrementAndGet() <= 3
          ? new Observation(start.toString(), clock.toString(), new VersionStats(180, 0, 30), new VersionStats(20, 0, 40), 0, "")
          : new Observation(start.toString(), clock.toString(), VersionStats.NONE, VersionStats.NONE, 0,
              "rollout_v2: Prometheus at http://prometheus:9090 did not answer (Connection refused)");
    });
    start(env, worker, spec, "rollout-prometheus");

    RunbookReport report = Reports.ofFailure(env, "rollout-prometheus");

    assertThat(report.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(report.reason()).contains("guard breach at 50 %", "no data for V2 (rollout_v2: Prometheus at http://prometheus:9090 did not answer");
    assertThat(details(report, "Observe 10%")).hasSize(3).allSatisfy(d -> assertThat(d).contains("guard holds"));
    assertThat(written).containsExactly(10, 50, 0);
    verify(activities, never()).observe(any(), anyString(), anyString());
  }

  @Test
  void aDryRunChangesNothing(TestWorkflowEnvironment env, Worker worker) {
    RolloutSpec spec = spec(ApprovalPolicy.unattended(), false, GuardPolicy.MissingData.ROLLBACK);
    worker.registerActivitiesImplementations(activities, notifier);
    env.start();
    RolloutWorkflow workflow =
        env.getWorkflowClient()
            .newWorkflowStub(RolloutWorkflow.class, WorkflowOptions.newBuilder().setWorkflowId("rollout-dry").setTaskQueue(worker.getTaskQueue()).build());

    RunbookReport report = workflow.run(new RolloutRequest(new RunContext(Fixtures.INITIATOR, true), spec));

    assertThat(report.steps()).filteredOn(s -> s.status() == StepStatus.PLANNED).extracting(StepRecord::name)
        .containsExactly("SetTrafficWeight 10%", "Bake 10%", "SetTrafficWeight 50%", "Bake 50%", "SetTrafficWeight 100%", "Bake 100%");
    verify(activities, never()).setWeight(any(), anyInt(), anyString());
  }
}
