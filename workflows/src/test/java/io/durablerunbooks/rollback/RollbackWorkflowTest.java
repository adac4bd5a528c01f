package io.durablerunbooks.rollback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import io.durablerunbooks.approval.ApprovalDecision;
import io.durablerunbooks.approval.Verdict;
import io.durablerunbooks.deploy.DeployActivities;
import io.durablerunbooks.deploy.HostReleaseState;
import io.durablerunbooks.deploy.HostStep;
import io.durablerunbooks.deploy.HostTarget;
import io.durablerunbooks.notify.NotifyActivities;
import io.durablerunbooks.report.Outcome;
import io.durablerunbooks.report.RunbookReport;
import io.durablerunbooks.report.StepRecord;
import io.durablerunbooks.report.StepStatus;
import io.durablerunbooks.runbook.Await;
import io.durablerunbooks.runbook.Fixtures;
import io.durablerunbooks.runbook.Histories;
import io.durablerunbooks.runbook.Reports;
import io.durablerunbooks.runbook.RunContext;
import io.durablerunbooks.runbook.RunbookKind;
import io.durablerunbooks.secrets.SecretRef;
import io.durablerunbooks.smoke.AppCheck;
import io.durablerunbooks.smoke.AppSmokeResult;
import io.durablerunbooks.smoke.AppSmokeSpec;
import io.durablerunbooks.ssh.CommandResult;
import io.durablerunbooks.ssh.SshAccess;
import io.durablerunbooks.ssh.SshHost;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RollbackWorkflowTest {

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow =
      TestWorkflowExtension.newBuilder().registerWorkflowImplementationTypes(RollbackWorkflowImpl.class).setDoNotStart(true).build();

  private static final AppSmokeSpec SMOKE =
      new AppSmokeSpec("/health", "/", "", "", "", "", AppSmokeSpec.DEFAULT_LATENCY_LIMIT, 1, "", Duration.ofSeconds(5));

  private final DeployActivities activities = mock(DeployActivities.class, withSettings().withoutAnnotations());
  private final NotifyActivities notifier = mock(NotifyActivities.class, withSettings().withoutAnnotations());
  /** What each host holds: current release, the releases it switched to with their times, bad marks. */
  private final Map<String, String> current = new ConcurrentHashMap<>();
  private final Map<String, List<HostReleaseState.Switch>> switched = new ConcurrentHashMap<>();
  private final Map<String, Map<String, String>> bad = new ConcurrentHashMap<>();

  /** Every host ran v1, then v2, then v3, and is on v3. */
  @BeforeEach
  void hostsOnV3() {
    for (int i = 1; i <= 3; i++) {
      String host = "web" + i;
      current.put(host, "v3");
      switched.put(host, new ArrayList<>(List.of(sw("v3", "2026-11-03"), sw("v2", "2026-11-02"), sw("v1", "2026-11-01"))));
      bad.put(host, new HashMap<>());
    }
    when(activities.inspectReleases(any())).thenAnswer(inv -> {
      String host = ((HostStep) inv.getArgument(0)).target().name();
      List<String> staged = switched.get(host).stream().map(HostReleaseState.Switch::release).toList();
      return new HostReleaseState(current.get(host), switched.get(host), staged, bad.get(host));
    });
    doAnswer(inv -> {
          HostStep s = inv.getArgument(0);
          current.put(s.target().name(), s.release());
          return null;
        })
        .when(activities).switchRelease(any());
    doAnswer(inv -> {
          HostStep s = inv.getArgument(0);
          bad.get(s.target().name()).putIfAbsent(s.release(), "marked bad by " + s.owner() + ": " + inv.getArgument(1));
          return null;
        })
        .when(activities).markReleaseBad(any(), anyString());
    when(activities.restart(any())).thenAnswer(inv -> {
      HostStep s = inv.getArgument(0);
      return new CommandResult(s.target().name(), s.script(), 0, "", "", false, 5);
    });
    when(activities.smokeCheck(any(), any())).thenAnswer(inv -> {
      HostStep s = inv.getArgument(0);
      return new AppSmokeResult(s.target().appUrl(), List.of(new AppCheck("health", AppCheck.Verdict.PASSED, "HTTP 200", "HTTP 200")));
    });
  }

  private static HostReleaseState.Switch sw(String release, String day) {
    return new HostReleaseState.Switch(release, day + "T10:00:00Z");
  }

  private static RollbackSpec spec(String to, int batchSize) {
    SshAccess access = new SshAccess(SecretRef.of("${env:DEPLOY_KEY}"), "", "/etc/runbooks/known_hosts");
    List<HostTarget> hosts =
        IntStream.rangeClosed(1, 3)
            .mapToObj(i -> new HostTarget(new SshHost("web" + i, "10.0.0." + i, 22, "deploy"), access, "/srv/shop", "http://10.0.0." + i + ":8080", List.of()))
            .toList();
    return new RollbackSpec(
        Fixtures.header(RunbookKind.ROLLBACK, "shop-web-rollback", "staging", Fixtures.approvers("alice")),
        hosts, to, "checkout returns 500", "bin/reload", Duration.ofMinutes(2), batchSize, SMOKE);
  }

  private RollbackWorkflow start(TestWorkflowEnvironment env, Worker worker, RollbackSpec spec, String id, boolean dryRun) {
    worker.registerActivitiesImplementations(activities, notifier);
    env.start();
    RollbackWorkflow workflow =
        env.getWorkflowClient()
            .newWorkflowStub(RollbackWorkflow.class, WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(worker.getTaskQueue()).build());
    WorkflowClient.start(workflow::run, new RollbackRequest(new RunContext(Fixtures.INITIATOR, dryRun), spec));
    return workflow;
  }

  private static void confirm(RollbackWorkflow workflow, Verdict verdict) {
    Await.until("the confirmation gate opens", () -> workflow.progress().gate().open());
    workflow.decide(new ApprovalDecision("alice", verdict, verdict == Verdict.GO ? "go back" : "not yet"));
  }




  @Test
  void goesBackToThePreviousReleaseAndMarksTheOneItLeavesBadOnEveryHost(TestWorkflowEnvironment env, Worker worker) {
    RollbackWorkflow workflow = start(env, worker, spec("", 2), "rollback-previous", false);
    confirm(workflow, Verdict.GO);

    RunbookReport report = Reports.of(env, "rollback-previous");

    assertThat(report.outcome()).isEqualTo(Outcome.SUCCEEDED);
    assertThat(current).containsOnly(Map.entry("web1", "v2"), Map.entry("web2", "v2"), Map.entry("web3", "v2"));
    assertThat(bad.values()).allSatisfy(marks -> assertThat(marks).containsOnlyKeys("v3")
        .hasEntrySatisfying("v3", mark -> assertThat(mark).contains("rollback-previous", "checkout returns 500")));
    assertThat(Reports.stepNames(report)).containsSubsequence("web3: InspectReleases", "ConfirmRollback", "web1: MarkReleaseBad",
        "web3: MarkReleaseBad", "web1: LockHost", "web1: SwitchRelease", "web1: Restart", "web1: SmokeCheck", "web1: UnlockHost",
        "web3: LockHost");
    assertThat(Reports.stepNames(report).indexOf("web3: LockHost")).as("web3 is in the second batch")
        .isGreaterThan(Reports.stepNames(report).indexOf("web2: SmokeCheck"));
    assertThat(report.facts()).containsEntry("release.bad", "v3").containsEntry("release.to", "v2")
        .containsEntry("host.web2.before", "v3").containsEntry("host.web2.after", "v2");
    Histories.recordIfAsked(env.getWorkflowClient(), "rollback-previous");
  }

  @Test
  void skipsAReleaseMarkedBad(TestWorkflowEnvironment env, Worker worker) {
    bad.get("web2").put("v2", "marked bad at 2026-11-02T11:00:00Z by rollback/shop run 1: slow checkout");
    RollbackWorkflow workflow = start(env, worker, spec("", 3), "rollback-skips-bad", false);
    confirm(workflow, Verdict.GO);

    RunbookReport report = Reports.of(env, "rollback-skips-bad");

    assertThat(current).containsOnly(Map.entry("web1", "v1"), Map.entry("web2", "v1"), Map.entry("web3", "v1"));
    assertThat(report.facts()).containsEntry("release.to", "v1");
    assertThat(report.facts().get("releases.skipped")).contains("v2 is marked bad on web2", "slow checkout");
    verify(activities, never()).switchRelease(argThat(s -> s != null && s.release().equals("v2")));
  }

  @Test
  void aNamedReleaseMarkedBadIsRefusedBeforeAnyChange(TestWorkflowEnvironment env, Worker worker) {
    bad.get("web1").put("v1", "marked bad at 2026-11-01T12:00:00Z by rollback/shop run 0: data loss");
    start(env, worker, spec("v1", 3), "rollback-named-bad", false);

    RunbookReport report = Reports.ofFailure(env, "rollback-named-bad");

    assertThat(report.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(report.reason()).contains("to: v1 is marked bad on web1", "data loss", "nothing was changed");
    verify(activities, never()).markReleaseBad(any(), anyString());
    verify(activities, never()).switchRelease(any());
  }

  @Test
  void aPartialDeployIsRolledBackOnlyWhereTheBadReleaseRuns(TestWorkflowEnvironment env, Worker worker) {
    for (String host : List.of("web2", "web3")) {
      current.put(host, "v2");
      switched.get(host).remove(0);
    }
    RollbackWorkflow workflow = start(env, worker, spec("", 3), "rollback-partial", false);
    confirm(workflow, Verdict.GO);

    RunbookReport report = Reports.of(env, "rollback-partial");

    assertThat(report.facts()).containsEntry("release.bad", "v3").containsEntry("release.to", "v2")
        .containsEntry("host.web2.after", "v2 (not on v3 nor on a bad release, left as it is)");
    assertThat(current).containsOnly(Map.entry("web1", "v2"), Map.entry("web2", "v2"), Map.entry("web3", "v2"));
    verify(activities, times(1)).switchRelease(any());
  }

  @Test
  void hostsStillOnAReleaseAnEarlierRollbackMarkedBadAreMovedOffIt(TestWorkflowEnvironment env, Worker worker) {
    current.put("web1", "v2");
    switched.get("web1").add(0, sw("v2", "2026-11-04"));
    switched.get("web1").remove(2);
    bad.get("web1").put("v3", "marked bad at 2026-11-04T10:00:00Z by rollback/canary run 1: checkout returns 500");
    RollbackWorkflow workflow = start(env, worker, spec("", 3), "rollback-rest", false);
    confirm(workflow, Verdict.GO);

    RunbookReport report = Reports.of(env, "rollback-rest");

    assertThat(report.facts()).as("v2, where web1 went last, is not the release left").containsEntry("release.bad", "v3")
        .containsEntry("release.to", "v2");
    assertThat(current).containsOnly(Map.entry("web1", "v2"), Map.entry("web2", "v2"), Map.entry("web3", "v2"));
    verify(activities, never()).switchRelease(argThat(s -> s != null && s.target().name().equals("web1")));
    assertThat(bad.values()).allSatisfy(marks -> assertThat(marks).doesNotContainKey("v2"));
  }

  @Test
  void aHostThatFailsDoesNotStopTheOthersAndIsNamed(TestWorkflowEnvironment env, Worker worker) {
    doThrow(ApplicationFailure.newNonRetryableFailure("web1 failed its smoke checks: health: /health: HTTP 502", "SmokeCheckFailed"))
        .when(activities).smokeCheck(argThat(s -> s != null && s.target().name().equals("web1")), any());
    RollbackWorkflow workflow = start(env, worker, spec("", 1), "rollback-host-fails", false);
    confirm(workflow, Verdict.GO);

    RunbookReport report = Reports.ofFailure(env, "rollback-host-fails");

    assertThat(report.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(report.reason()).startsWith("1 of 3 hosts could not be rolled back to v2: web1:").contains("HTTP 502");
    assertThat(current).containsEntry("web2", "v2").containsEntry("web3", "v2");
    verify(activities, times(3)).unlockHost(any());
    assertThat(report.steps()).filteredOn(s -> s.name().equals("UnlockHost web1")).extracting(StepRecord::status)
        .containsExactly(StepStatus.COMPENSATED);
  }

  @Test
  void aNoGoMarksNothingAndTouchesNoHost(TestWorkflowEnvironment env, Worker worker) {
    RollbackWorkflow workflow = start(env, worker, spec("", 3), "rollback-nogo", false);
    confirm(workflow, Verdict.NO_GO);

    RunbookReport report = Reports.ofFailure(env, "rollback-nogo");

    assertThat(report.outcome()).isEqualTo(Outcome.REJECTED);
    assertThat(report.reason()).contains("v3 is not marked bad");
    verify(activities, never()).markReleaseBad(any(), anyString());
    verify(activities, never()).lockHost(any());
    assertThat(current).containsOnly(Map.entry("web1", "v3"), Map.entry("web2", "v3"), Map.entry("web3", "v3"));
  }

  @Test
  void aDryRunPlansWithoutAskingOrChanging(TestWorkflowEnvironment env, Worker worker) {
    start(env, worker, spec("v1", 3), "rollback-dry-run", true);

    RunbookReport report = Reports.of(env, "rollback-dry-run");

    assertThat(report.outcome()).isEqualTo(Outcome.SUCCEEDED);
    assertThat(report.steps()).filteredOn(s -> s.status() == StepStatus.PLANNED).extracting(StepRecord::detail)
        .contains("would mark v3 bad in /srv/shop/release-marks: checkout returns 500", "would point /srv/shop/current from v3 to v1");
    verify(activities, never()).markReleaseBad(any(), anyString());
    verify(activities, never()).switchRelease(any());
  }
}
