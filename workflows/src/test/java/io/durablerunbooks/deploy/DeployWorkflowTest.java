package io.durablerunbooks.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.ArgumentMatchers.eq;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DeployWorkflowTest {

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow =
      TestWorkflowExtension.newBuilder().registerWorkflowImplementationTypes(DeployWorkflowImpl.class).setDoNotStart(true).build();

  private final DeployActivities activities = mock(DeployActivities.class, withSettings().withoutAnnotations());
  private final NotifyActivities notifier = mock(NotifyActivities.class, withSettings().withoutAnnotations());
  /** What {@code current} points to on each host, as the mocked steps change it. */
  private final Map<String, String> current = new ConcurrentHashMap<>();

  private static final AppSmokeSpec SMOKE =
      new AppSmokeSpec("/health", "/", "", "", "", "", AppSmokeSpec.DEFAULT_LATENCY_LIMIT, 1, "v2", Duration.ofSeconds(5));

  @BeforeEach
  void hostsOnV1() {
    for (int i = 1; i <= 4; i++) {
      current.put("web" + i, "v1");
    }
    when(activities.readCurrentRelease(any())).thenAnswer(inv -> current.get(((HostStep) inv.getArgument(0)).target().name()));
    when(activities.stageRelease(any(), any())).thenReturn(true);
    doAnswer(inv -> {
          HostStep s = inv.getArgument(0);
          current.put(s.target().name(), s.release());
          return null;
        })
        .when(activities).switchRelease(any());
    when(activities.install(any())).thenAnswer(inv -> ok(inv.getArgument(0)));
    when(activities.restart(any())).thenAnswer(inv -> ok(inv.getArgument(0)));
    when(activities.migrateDryRun(any())).thenAnswer(inv -> ok(inv.getArgument(0)));
    when(activities.migrateApply(any())).thenAnswer(inv -> ok(inv.getArgument(0)));
    when(activities.smokeCheck(any(), any())).thenAnswer(inv -> smoke(inv.getArgument(0)));
    when(activities.pruneReleases(any(), anyInt())).thenReturn(List.of("v0"));
  }

  private static CommandResult ok(HostStep step) {
    return new CommandResult(step.target().name(), step.script(), 0, "", "", false, 5);
  }

  private static AppSmokeResult smoke(HostStep step) {
    return new AppSmokeResult(step.target().appUrl(), List.of(new AppCheck("health", AppCheck.Verdict.PASSED, "HTTP 200", "HTTP 200")));
  }

  private static DeploySpec spec(ApprovalPolicy approval, RolloutPolicy rollout, boolean migrations) {
    return spec(approval, rollout, migrations, new Artifact.WorkerFile("/srv/builds/shop-v2.tar.gz"), List.of(List.of(), List.of(), List.of(), List.of()));
  }

  /** @param groups of web1 to web4 */
  private static DeploySpec spec(
      ApprovalPolicy approval, RolloutPolicy rollout, boolean migrations, Artifact artifact, List<List<String>> groups) {
    SshAccess access = new SshAccess(SecretRef.of("${env:DEPLOY_KEY}"), "", "/etc/runbooks/known_hosts");
    List<HostTarget> hosts =
        IntStream.rangeClosed(1, 4)
            .mapToObj(i -> new HostTarget(
                new SshHost("web" + i, "10.0.0." + i, 22, "deploy"), access, "/srv/shop", "http://10.0.0." + i + ":8080", groups.get(i - 1)))
            .toList();
    return new DeploySpec(
        Fixtures.header(RunbookKind.DEPLOY, "shop-web", "staging", approval),
        "v2",
        artifact,
        hosts,
        List.of(),
        rollout,
        new DeployHooks("make install", migrations ? "bin/migrate --dry-run" : "", migrations ? "bin/migrate" : "", "bin/reload", Duration.ofMinutes(5)),
        5,
        SMOKE);
  }

  private DeployWorkflow start(TestWorkflowEnvironment env, Worker worker, DeploySpec spec, String id) {
    return start(env, worker, spec, id, false);
  }

  private DeployWorkflow start(TestWorkflowEnvironment env, Worker worker, DeploySpec spec, String id, boolean dryRun) {
    worker.registerActivitiesImplementations(activities, notifier);
    env.start();
    DeployWorkflow workflow =
        env.getWorkflowClient()
            .newWorkflowStub(DeployWorkflow.class, WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(worker.getTaskQueue()).build());
    WorkflowClient.start(workflow::run, new DeployRequest(new RunContext(Fixtures.INITIATOR, dryRun), spec));
    return workflow;
  }




  private void smokeFailsOn(String host) {
    doThrow(ApplicationFailure.newNonRetryableFailure(host + " failed its smoke checks: health: /health: HTTP 500", "SmokeCheckFailed"))
        .when(activities).smokeCheck(argThat(s -> s != null && s.target().name().equals(host) && s.release().equals("v2")), any());
  }

  @Test
  void rollsOutBatchByBatchWithMigrationsOnceAndEveryHostSmokeChecked(TestWorkflowEnvironment env, Worker worker) {
    start(env, worker, spec(ApprovalPolicy.unattended(), new RolloutPolicy(2, 0, false, false, false), true), "deploy-happy");

    RunbookReport report = Reports.of(env, "deploy-happy");

    assertThat(report.outcome()).isEqualTo(Outcome.SUCCEEDED);
    assertThat(current).containsOnly(Map.entry("web1", "v2"), Map.entry("web2", "v2"), Map.entry("web3", "v2"), Map.entry("web4", "v2"));
    List<String> steps = Reports.stepNames(report);
    assertThat(steps).containsSubsequence("web1: ReadCurrentRelease", "web4: ReadCurrentRelease", "web1: LockHost", "web1: Install",
        "web1: MigrateDryRun", "web1: MigrateApply", "web1: SwitchRelease", "web1: Restart", "web1: SmokeCheck", "web3: LockHost",
        "web3: SwitchRelease", "web4: SmokeCheck", "web1: UnlockHost", "web1: PruneReleases");
    assertThat(steps.indexOf("web2: SmokeCheck")).as("batch 2 starts after batch 1 is checked").isLessThan(steps.indexOf("web3: LockHost"));
    assertThat(steps.indexOf("web2: SwitchRelease")).as("no switch before the migration").isGreaterThan(steps.indexOf("web1: MigrateApply"));
    verify(activities, times(1)).migrateApply(any());
    verify(activities, times(4)).unlockHost(any());
    assertThat(report.steps()).allMatch(s -> s.status() == StepStatus.SUCCEEDED);
    assertThat(report.facts()).containsEntry("host.web3.before", "v1").containsEntry("host.web3.after", "v2").containsEntry("hosts.deployed", "4 of 4");
    Histories.recordIfAsked(env.getWorkflowClient(), "deploy-happy");
  }

  @Test
  void aHostFailingItsSmokeCheckGoesBackAndStopsTheRollout(TestWorkflowEnvironment env, Worker worker) {
    smokeFailsOn("web2");
    start(env, worker, spec(ApprovalPolicy.unattended(), new RolloutPolicy(2, 0, false, false, false), false), "deploy-smoke-fails");

    RunbookReport report = Reports.ofFailure(env, "deploy-smoke-fails");

    assertThat(report.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(report.reason()).contains("rollout stopped after batch 1", "web2", "HTTP 500", "switched back to v1", "hosts done stay on v2: web1");
    assertThat(current).containsEntry("web1", "v2").containsEntry("web2", "v1").containsEntry("web3", "v1").containsEntry("web4", "v1");
    assertThat(Reports.stepNames(report)).contains("web2: SwitchBack", "web2: RestartAfterSwitchBack", "web2: SmokeCheckAfterSwitchBack")
        .doesNotContain("web3: LockHost", "web1: PruneReleases");
    verify(activities, times(2)).unlockHost(any());
    assertThat(report.facts()).containsEntry("host.web2.after", "v1 (switched back)");
    verify(activities).smokeCheck(
        argThat(s -> s != null && s.target().name().equals("web2") && s.release().equals("v1")),
        argThat(smoke -> smoke != null && smoke.expectText().isEmpty()));
    Histories.recordIfAsked(env.getWorkflowClient(), "deploy-smoke-fails");
  }

  @Test
  void whenTheRunbookSaysSoTheHostsAlreadyDoneGoBackToo(TestWorkflowEnvironment env, Worker worker) {
    smokeFailsOn("web3");
    start(env, worker, spec(ApprovalPolicy.unattended(), new RolloutPolicy(2, 0, true, false, false), false), "deploy-all-back");

    RunbookReport report = Reports.ofFailure(env, "deploy-all-back");

    assertThat(current).containsOnly(Map.entry("web1", "v1"), Map.entry("web2", "v1"), Map.entry("web3", "v1"), Map.entry("web4", "v1"));
    assertThat(report.steps()).filteredOn(s -> s.name().startsWith("SwitchBack ")).extracting(StepRecord::name, StepRecord::status)
        .as("web4 passed in web3's batch; the hosts done go back newest first")
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("SwitchBack web4", StepStatus.COMPENSATED),
            org.assertj.core.groups.Tuple.tuple("SwitchBack web2", StepStatus.COMPENSATED),
            org.assertj.core.groups.Tuple.tuple("SwitchBack web1", StepStatus.COMPENSATED));
    assertThat(Reports.stepNames(report)).containsSubsequence("SwitchBack web4", "UnlockHost web4", "SwitchBack web1", "UnlockHost web1");
    verify(activities, times(4)).unlockHost(any());
  }

  @Test
  void aFailureWithinTheBudgetLetsTheRolloutFinishAndStillFailsTheRun(TestWorkflowEnvironment env, Worker worker) {
    smokeFailsOn("web1");
    start(env, worker, spec(ApprovalPolicy.unattended(), new RolloutPolicy(1, 1, false, false, false), false), "deploy-budget");

    RunbookReport report = Reports.ofFailure(env, "deploy-budget");

    assertThat(report.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(report.reason()).startsWith("1 hosts failed and went back to their previous release (within the budget of 1)");
    assertThat(current).containsOnly(Map.entry("web1", "v1"), Map.entry("web2", "v2"), Map.entry("web3", "v2"), Map.entry("web4", "v2"));
    assertThat(report.facts()).containsEntry("hosts.deployed", "3 of 4");
  }

  @Test
  void aFailedInstallLeavesTheHostUntouchedAndNothingToSwitchBack(TestWorkflowEnvironment env, Worker worker) {
    doThrow(ApplicationFailure.newNonRetryableFailure("web1: the install hook exited 2: npm ERR!", "HookFailed"))
        .when(activities).install(argThat(s -> s != null && s.target().name().equals("web1")));
    start(env, worker, spec(ApprovalPolicy.unattended(), new RolloutPolicy(2, 0, false, false, false), true), "deploy-install-fails");

    RunbookReport report = Reports.ofFailure(env, "deploy-install-fails");

    assertThat(report.reason()).contains("web1 (before its switch, still on v1)", "npm ERR!");
    assertThat(current.get("web1")).isEqualTo("v1");
    verify(activities, never()).switchRelease(argThat(s -> s != null && s.target().name().equals("web1")));
  }

  @Test
  void aNoGoAtTheGateTouchesNoHost(TestWorkflowEnvironment env, Worker worker) {
    DeployWorkflow workflow = start(env, worker, spec(Fixtures.approvers("alice"), new RolloutPolicy(2, 0, false, false, false), false), "deploy-nogo");
    Await.until("the gate opens", () -> workflow.progress().gate().open());

    workflow.decide(new ApprovalDecision("alice", Verdict.NO_GO, "not today"));

    RunbookReport report = Reports.ofFailure(env, "deploy-nogo");
    assertThat(report.outcome()).isEqualTo(Outcome.REJECTED);
    verify(activities, never()).lockHost(any());
    verify(activities, never()).switchRelease(any());
  }

  @Test
  void batchesByGroupKeepEachGroupApartAndTheReportNamesTheGroups(TestWorkflowEnvironment env, Worker worker) {
    Artifact download = new Artifact.Download("https://builds.example/shop-v2.tar.gz", "ab".repeat(32));
    List<List<String>> groups = List.of(List.of("canary"), List.of("eu-west"), List.of("canary", "eu-west"), List.of("eu-west"));
    start(env, worker, spec(ApprovalPolicy.unattended(), new RolloutPolicy(2, 0, false, false, true), false, download, groups), "deploy-groups");

    RunbookReport report = Reports.of(env, "deploy-groups");

    assertThat(report.outcome()).isEqualTo(Outcome.SUCCEEDED);
    List<String> steps = Reports.stepNames(report);
    assertThat(steps.indexOf("web3: SmokeCheck")).as("canary (web1, web3) goes first, whole").isLessThan(steps.indexOf("web2: LockHost"));
    assertThat(steps.indexOf("web1: SmokeCheck")).isLessThan(steps.indexOf("web4: LockHost"));
    assertThat(report.facts()).containsEntry("host.web3.groups", "canary, eu-west").containsEntry("host.web2.groups", "eu-west");
    verify(activities, times(4)).stageRelease(any(), eq(download));
  }

  @Test
  void aDryRunPlansTheBatchesAndWhereEachHostGetsTheRelease(TestWorkflowEnvironment env, Worker worker) {
    Artifact checkout = new Artifact.GitRef("https://git.example/shop.git", "v2");
    List<List<String>> groups = List.of(List.of("canary"), List.of(), List.of("canary"), List.of());
    start(env, worker, spec(ApprovalPolicy.unattended(), new RolloutPolicy(2, 0, false, false, true), false, checkout, groups), "deploy-plan", true);

    RunbookReport report = Reports.of(env, "deploy-plan");

    assertThat(report.outcome()).isEqualTo(Outcome.SUCCEEDED);
    assertThat(report.steps()).filteredOn(s -> s.status() == StepStatus.PLANNED).extracting(StepRecord::name, StepRecord::detail)
        .contains(
            org.assertj.core.groups.Tuple.tuple("Batches", "web1, web3 (group canary); then web2, web4 (hosts without a group)"),
            org.assertj.core.groups.Tuple.tuple(
                "web2: StageRelease", "would fill /srv/shop/releases/v2 from v2 of https://git.example/shop.git, checked out by each host"));
    verify(activities, never()).stageRelease(any(), any());
    verify(activities, never()).lockHost(any());
  }
}
