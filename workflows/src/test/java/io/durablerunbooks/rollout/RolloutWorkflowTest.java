package io.durablerunbooks.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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
import io.durablerunbooks.report.RunbookProgress;
import io.durablerunbooks.report.RunbookReport;
import io.durablerunbooks.report.StepRecord;
import io.durablerunbooks.report.StepStatus;
import io.durablerunbooks.runbook.ApprovalPolicy;
import io.durablerunbooks.runbook.Await;
import io.durablerunbooks.runbook.Fixtures;
import io.durablerunbooks.runbook.Histories;
import io.durablerunbooks.runbook.Reports;
import io.durablerunbooks.runbook.RunContext;
import io.durablerunbooks.runbook.RunbookHeader;
import io.durablerunbooks.runbook.RunbookKind;
import io.durablerunbooks.secrets.SecretRef;
import io.durablerunbooks.ssh.SshAccess;
import io.durablerunbooks.ssh.SshHost;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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

  private static StepRecord step(RunbookReport report, String name) {
    return report.steps().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
  }

  private static boolean started(RolloutWorkflow workflow, String stepName) {
    return workflow.progress().steps().stream().anyMatch(s -> s.name().equals(stepName));
  }

  /** Waits for the report on another thread: a client waiting for the result lets the test server skip time. */
  private static CompletableFuture<RunbookReport> inTheBackground(TestWorkflowEnvironment env, String workflowId) {
    return CompletableFuture.supplyAsync(() -> Reports.of(env, workflowId));
  }

  private static void assertRefused(Runnable update, String because) {
    assertThatThrownBy(update::run).isInstanceOf(WorkflowUpdateException.class).rootCause().hasMessageContaining(because);
  }

  @Test
  void aPauseHoldsTheWeightPastTheBakeAndAResumeLetsTheBakeRunOnThenTheRolloutGoOnTo100(TestWorkflowEnvironment env, Worker worker) {
    RolloutWorkflow workflow = start(env, worker, spec(ApprovalPolicy.unattended(), false, GuardPolicy.MissingData.ROLLBACK), "rollout-pause");
    Await.until("the bake at 10 % observes", () -> started(workflow, "Observe 10% #1"));

    PauseRecord paused = workflow.pause(new PauseRequest("alice", "checking the dashboards"));
    env.sleep(Duration.ofMinutes(2));
    RunbookProgress held = workflow.progress();

    assertThat(paused).extracting(PauseRecord::paused, PauseRecord::weight, PauseRecord::by).containsExactly(true, 10, "alice");
    assertThat(written).as("two minutes paused in a bake of 30 s: still at 10 %").containsExactly(10);
    assertThat(held.steps()).filteredOn(s -> s.name().startsWith("Observe 10%")).as("the guards kept watching").hasSizeGreaterThan(6);
    assertThat(held.steps()).filteredOn(s -> s.name().equals("Paused by alice at 10%")).singleElement().satisfies(s -> {
      assertThat(s.status()).isEqualTo(StepStatus.RUNNING);
      assertThat(s.detail()).contains("V2 held at 10 % by alice", "checking the dashboards", "runbook resume rollout-pause --as <you>");
    });

    PauseRecord resumed = workflow.resume(new PauseRequest("bob", "dashboards fine"));
    RunbookReport report = Reports.of(env, "rollout-pause");

    assertThat(report.outcome()).isEqualTo(Outcome.SUCCEEDED);
    assertThat(written).containsExactly(10, 50, 100);
    assertThat(resumed).extracting(PauseRecord::paused, PauseRecord::weight, PauseRecord::by).containsExactly(false, 10, "bob");
    StepRecord pause = step(report, "Paused by alice at 10%");
    assertThat(pause.status()).isEqualTo(StepStatus.SUCCEEDED);
    assertThat(pause.startedAt()).isEqualTo(paused.at());
    assertThat(pause.finishedAt()).isEqualTo(resumed.at());
    assertThat(pause.duration()).isGreaterThanOrEqualTo(Duration.ofMinutes(2));
    assertThat(pause.detail()).contains("V2 held at 10 % by alice from " + paused.at() + ": checking the dashboards",
        "resumed by bob at " + resumed.at() + ": dashboards fine");
    Duration atTenPercent = Duration.between(step(report, "Observe 10% #1").startedAt(), step(report, "SetTrafficWeight 50%").startedAt());
    assertThat(atTenPercent).as("the bake's 30 s, the time paused not counted, ended at the next observation window")
        .isGreaterThanOrEqualTo(Duration.ofSeconds(30).plus(pause.duration())).isLessThan(Duration.ofSeconds(40).plus(pause.duration()));
    Histories.recordIfAsked(env.getWorkflowClient(), "rollout-pause");
  }

  @Test
  void aGuardBreachWhilePausedStillRollsBack(TestWorkflowEnvironment env, Worker worker) {
    AtomicBoolean broken = new AtomicBoolean();
    v2At = w -> broken.get() ? new VersionStats(100, 12, 40) : new VersionStats(20, 0, 40);
    RolloutWorkflow workflow =
        start(env, worker, spec(ApprovalPolicy.unattended(), false, GuardPolicy.MissingData.ROLLBACK), "rollout-pause-breach");
    env.sleep(Duration.ofSeconds(35));
    Await.until("the bake at 50 % observes", () -> started(workflow, "Observe 50% #1"));

    workflow.pause(new PauseRequest("alice", ""));
    broken.set(true);
    RunbookReport report = Reports.ofFailure(env, "rollout-pause-breach");

    assertThat(report.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(report.reason()).contains("guard breach at 50 %", "V2 error rate 12.0 % over the guard's 5.0 %");
    assertThat(written).containsExactly(10, 50, 0);
    StepRecord pause = step(report, "Paused by alice at 50%");
    assertThat(pause.status()).isEqualTo(StepStatus.FAILED);
    assertThat(pause.detail()).contains("V2 held at 50 % by alice", "never resumed: the rollout is rolling back");
    Histories.recordIfAsked(env.getWorkflowClient(), "rollout-pause-breach");
  }

  @Test
  void pauseAndResumeAreRefusedAtOnceWhenTheyMeanNothing(TestWorkflowEnvironment env, Worker worker) {
    RolloutWorkflow workflow = start(env, worker, spec(ApprovalPolicy.unattended(), false, GuardPolicy.MissingData.ROLLBACK), "rollout-refusals");
    Await.until("the bake at 10 % observes", () -> started(workflow, "Observe 10% #1"));

    assertRefused(() -> workflow.resume(new PauseRequest("bob", "")), "the rollout is not paused (V2 at 10 %)");
    assertRefused(() -> workflow.pause(new PauseRequest(" ", "")), "by: required (who pauses)");
    PauseRecord paused = workflow.pause(new PauseRequest("alice", "hold on"));
    assertRefused(() -> workflow.pause(new PauseRequest("bob", "")), "already paused by alice at 10 % since " + paused.at());
    workflow.resume(new PauseRequest("alice", ""));

    assertThat(Reports.of(env, "rollout-refusals").outcome()).isEqualTo(Outcome.SUCCEEDED);
    assertThat(Reports.of(env, "rollout-refusals").steps()).extracting(StepRecord::name).containsOnlyOnce("Paused by alice at 10%");
    assertThatThrownBy(() -> workflow.pause(new PauseRequest("alice", "too late"))).as("Temporal itself refuses an Update to a closed run")
        .isInstanceOf(WorkflowNotFoundException.class);
  }

  @Test
  void aPauseIsRefusedBeforeAnyTrafficMovesAndWhileAPromotionWaitsForItsGo(TestWorkflowEnvironment env, Worker worker) {
    RolloutWorkflow workflow = start(env, worker, spec(Fixtures.approvers("alice"), true, GuardPolicy.MissingData.ROLLBACK), "rollout-pause-gates");
    Await.until("the first gate opens", () -> workflow.progress().gate().open());

    assertRefused(() -> workflow.pause(new PauseRequest("bob", "")), "the rollout has not shifted any traffic yet: nothing to pause");
    workflow.decide(new ApprovalDecision("alice", Verdict.GO, "start"));
    env.sleep(Duration.ofMinutes(1));
    Await.until("the promotion gate to 50 % opens", () -> workflow.progress().gate().open() && started(workflow, "Promote50"));

    assertRefused(() -> workflow.pause(new PauseRequest("bob", "")),
        "the rollout waits for a GO to promote V2 to 50 % and holds at 10 % until then");
    workflow.decide(new ApprovalDecision("alice", Verdict.NO_GO, "not today"));
    assertThat(Reports.ofFailure(env, "rollout-pause-gates").outcome()).isEqualTo(Outcome.ROLLED_BACK);
  }

  @Test
  void pauseIsRefusedWhileTheRolloutRollsBack(TestWorkflowEnvironment env, Worker worker) throws InterruptedException {
    v2At = w -> w >= 50 ? new VersionStats(100, 12, 40) : new VersionStats(20, 0, 40);
    CountDownLatch rollingBack = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    doAnswer(inv -> {
          rollingBack.countDown();
          release.await(30, TimeUnit.SECONDS);
          written.add(0);
          return new SplitChange(0, clock.toString());
        })
        .when(activities).setWeight(any(), eq(0), anyString());
    RolloutWorkflow workflow = start(env, worker, spec(ApprovalPolicy.unattended(), false, GuardPolicy.MissingData.ROLLBACK), "rollout-pause-late");
    CompletableFuture<RunbookReport> result = inTheBackground(env, "rollout-pause-late");
    assertThat(rollingBack.await(30, TimeUnit.SECONDS)).as("the breach at 50 %% starts the rollback").isTrue();

    assertRefused(() -> workflow.pause(new PauseRequest("alice", "")),
        "the rollout is not running its steps anymore: it is rolling back: all traffic goes back to V1");
    release.countDown();
    assertThat(result).failsWithin(Duration.ofSeconds(30));
    assertThat(Reports.ofFailure(env, "rollout-pause-late").outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(written).containsExactly(10, 50, 0);
  }

  @Test
  void pauseIsRefusedOnceAllTrafficIsOnV2(TestWorkflowEnvironment env, Worker worker) throws InterruptedException {
    CountDownLatch notifying = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    doAnswer(inv -> {
          notifying.countDown();
          release.await(30, TimeUnit.SECONDS);
          return null;
        })
        .when(notifier).notify(any());
    RolloutSpec plain = spec(ApprovalPolicy.unattended(), false, GuardPolicy.MissingData.ROLLBACK);
    RunbookHeader h = plain.header();
    RolloutSpec withWebhook = new RolloutSpec(new RunbookHeader(h.kind(), h.name(), h.environment(), h.description(), h.approval(),
        "https://hooks.example/rollouts"), plain.nginx(), plain.weights(), plain.bake(), plain.promoteEachStep(), plain.probe(), plain.prometheus(),
        plain.promote(), plain.guard(), plain.splitTolerance(), plain.splitSamples());
    RolloutWorkflow workflow = start(env, worker, withWebhook, "rollout-pause-done");
    CompletableFuture<RunbookReport> result = inTheBackground(env, "rollout-pause-done");
    assertThat(notifying.await(30, TimeUnit.SECONDS)).as("the success is being notified").isTrue();

    assertRefused(() -> workflow.pause(new PauseRequest("alice", "")),
        "the rollout is not running its steps anymore: it finished: all traffic on V2");
    release.countDown();
    assertThat(result).succeedsWithin(Duration.ofSeconds(30)).extracting(RunbookReport::outcome).isEqualTo(Outcome.SUCCEEDED);
    assertThat(written).containsExactly(10, 50, 100);
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
