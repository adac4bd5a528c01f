package io.durablerunbooks.deploy;

import io.durablerunbooks.report.Outcome;
import io.durablerunbooks.report.RunbookReport;
import io.durablerunbooks.runbook.Failures;
import io.durablerunbooks.runbook.RunbookWorkflowBase;
import io.durablerunbooks.runbook.StepOptions;
import io.durablerunbooks.smoke.AppSmokeResult;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Rolling deploy over SSH to the hosts the runbook selects. Every host is checked first; then,
 * batch by batch (each kept to one group when the runbook says so): lock, stage and install on
 * each host of the batch, the migrations once before the first switch, then on each host switch
 * {@code current}, restart and smoke-check. A host that fails after its switch is switched back
 * at once; the rollout stops when more hosts failed than the budget allows, and the hosts already
 * done go back too when the runbook says so.
 */
public class DeployWorkflowImpl extends RunbookWorkflowBase implements DeployWorkflow {

  /** How long a deploy waits for another deploy's lock on a host before it gives up. */
  static final Duration LOCK_PATIENCE = Duration.ofMinutes(30);

  private final DeployActivities checks = Workflow.newActivityStub(DeployActivities.class, StepOptions.check());
  private final DeployActivities locks =
      Workflow.newActivityStub(DeployActivities.class, StepOptions.waitForLock(LOCK_PATIENCE));
  private final DeployActivities transfers = Workflow.newActivityStub(DeployActivities.class, StepOptions.transfer());
  private final DeployActivities changes = Workflow.newActivityStub(DeployActivities.class, StepOptions.change());
  private final DeployActivities hooks;

  private final Map<String, String> before = new LinkedHashMap<>();

  /** How one host's part of the rollout ended. */
  private record HostOutcome(HostTarget host, boolean ok, String reason) {}

  @WorkflowInit
  public DeployWorkflowImpl(DeployRequest request) {
    super(request.spec().header(), request.context());
    this.hooks =
        Workflow.newActivityStub(DeployActivities.class, StepOptions.remoteCommand(request.spec().hooks().timeout()));
  }

  @Override
  public RunbookReport run(DeployRequest request) {
    DeploySpec spec = request.spec();
    String owner = Workflow.getInfo().getWorkflowId() + " run " + Workflow.getInfo().getRunId();
    try {
      run.fact("release", spec.release());
      if (!spec.only().isEmpty()) {
        run.fact("only", String.join(", ", spec.only()));
      }
      for (HostTarget host : spec.hosts()) {
        String current = run.step(host.name() + ": ReadCurrentRelease", () -> checks.readCurrentRelease(step(host, owner, spec)));
        before.put(host.name(), current);
        run.fact("host." + host.name() + ".before", current.isEmpty() ? "(none)" : current);
        if (!host.groups().isEmpty()) {
          run.fact("host." + host.name() + ".groups", String.join(", ", host.groups()));
        }
      }

      List<List<HostTarget>> batches = spec.batches();
      if (spec.header().approval().required()
          && !awaitGo(
              "ApproveDeploy",
              "GO to deploy " + spec.release() + " to " + spec.hosts().size() + " hosts in " + batches.size() + " batches?")) {
        throw run.fail(Outcome.REJECTED, "deploy not approved: no host was touched");
      }
      if (run.dryRun()) {
        plan(spec, batches);
        return run.succeed();
      }

      List<HostOutcome> failed = new ArrayList<>();
      List<HostTarget> done = new ArrayList<>();
      boolean migrated = spec.hooks().migrateApply().isEmpty();
      for (int b = 0; b < batches.size(); b++) {
        List<HostTarget> batch = batches.get(b);
        if (b > 0 && spec.rollout().approveEachBatch()
            && !awaitGo("ApproveBatch" + (b + 1), "GO for batch " + (b + 1) + " of " + batches.size() + ": " + batchLabel(spec, batch) + "?")) {
          throw run.fail(Outcome.REJECTED, "batch " + (b + 1) + " not approved; hosts done so far: " + names(done));
        }
        List<HostOutcome> prepared = inParallel(batch, host -> prepare(host, owner, spec));
        List<HostTarget> ready = new ArrayList<>();
        for (HostOutcome o : prepared) {
          if (o.ok()) {
            ready.add(o.host());
          } else {
            failed.add(o);
          }
        }
        if (!migrated && !ready.isEmpty()) {
          migrate(ready.get(0), owner, spec);
          migrated = true;
        }
        for (HostOutcome o : inParallel(ready, host -> activate(host, owner, spec))) {
          if (o.ok()) {
            done.add(o.host());
          } else {
            failed.add(o);
          }
        }
        if (failed.size() > spec.rollout().maxFailures()) {
          throw new IllegalStateException(
              "rollout stopped after batch " + (b + 1) + ": " + failed.size() + " hosts failed, " + spec.rollout().maxFailures()
                  + " allowed: " + reasons(failed)
                  + (spec.rollout().rollbackCompletedOnFailure() ? "; hosts done are switched back" : "; hosts done stay on "
                      + spec.release() + ": " + names(done)));
        }
      }

      for (HostTarget host : spec.hosts()) {
        run.step(host.name() + ": UnlockHost", () -> changes.unlockHost(step(host, owner, spec)));
        run.keepChange(unlock(host));
        run.keepChange(rollBack(host));
      }
      for (HostTarget host : done) {
        List<String> pruned =
            run.step(host.name() + ": PruneReleases", () -> changes.pruneReleases(step(host, owner, spec), spec.keepReleases()));
        run.detail(host.name() + ": PruneReleases", pruned.isEmpty() ? "nothing to delete" : "deleted " + String.join(", ", pruned));
      }
      run.fact("hosts.deployed", done.size() + " of " + spec.hosts().size());
      if (!failed.isEmpty()) {
        String reason = failed.size() + " hosts failed and went back to their previous release (within the budget of "
            + spec.rollout().maxFailures() + "): " + reasons(failed);
        notify("failed", "Deploy " + spec.header().name() + " of " + spec.release() + ": " + reason);
        throw run.fail(Outcome.FAILED, reason);
      }
      notify("succeeded", "Deployed " + spec.release() + " to " + names(done) + ".");
      return run.succeed();
    } catch (RuntimeException e) {
      throw ended(e, "Deploy " + spec.header().name() + " of " + spec.release(), "");
    }
  }

  /** Lock, stage and install: nothing the application runs changes yet. */
  private HostOutcome prepare(HostTarget host, String owner, DeploySpec spec) {
    HostStep step = step(host, owner, spec);
    try {
      run.compensateOnFailure(unlock(host), () -> changes.unlockHost(step));
      run.step(host.name() + ": LockHost", () -> locks.lockHost(step));
      boolean staged = run.step(host.name() + ": StageRelease", () -> transfers.stageRelease(step, spec.artifact()));
      run.detail(host.name() + ": StageRelease", staged ? "staged into releases/" + spec.release() : "already there");
      if (!spec.hooks().install().isEmpty()) {
        run.step(host.name() + ": Install", () -> hooks.install(step.hook(spec.hooks().install(), spec.hooks().timeout())));
      }
      return new HostOutcome(host, true, "");
    } catch (RuntimeException e) {
      rethrowIfCancelled(e);
      return new HostOutcome(host, false, host.name() + " (before its switch, still on " + shown(before.get(host.name())) + "): "
          + Failures.reason(e));
    }
  }

  /** Migrations run once per deploy, on one host, after its install and before any switch. */
  private void migrate(HostTarget host, String owner, DeploySpec spec) {
    HostStep step = step(host, owner, spec);
    Duration limit = spec.hooks().timeout();
    run.step(host.name() + ": MigrateDryRun", () -> hooks.migrateDryRun(step.hook(spec.hooks().migrateDryRun(), limit)));
    run.step(host.name() + ": MigrateApply", () -> hooks.migrateApply(step.hook(spec.hooks().migrateApply(), limit)));
  }

  /** Switch, restart, smoke-check; a failure switches this host back at once. */
  private HostOutcome activate(HostTarget host, String owner, DeploySpec spec) {
    HostStep step = step(host, owner, spec);
    String previous = before.get(host.name());
    run.compensateOnFailure(rollBack(host), () -> switchBack(host, step, previous, spec));
    try {
      run.step(host.name() + ": SwitchRelease", () -> changes.switchRelease(step));
      restart(host, step, spec, "Restart");
      AppSmokeResult smoke = run.step(host.name() + ": SmokeCheck", () -> checks.smokeCheck(step, spec.smoke()));
      run.detail(host.name() + ": SmokeCheck", smoke.checks().size() + " checks passed at " + smoke.baseUrl());
      run.fact("host." + host.name() + ".after", spec.release());
      if (!spec.rollout().rollbackCompletedOnFailure()) {
        run.keepChange(rollBack(host));
      }
      return new HostOutcome(host, true, "");
    } catch (RuntimeException e) {
      rethrowIfCancelled(e);
      run.keepChange(rollBack(host));
      String back = switchBack(host, step, previous, spec);
      return new HostOutcome(host, false, host.name() + ": " + Failures.reason(e) + "; " + back);
    }
  }

  /**
   * Points the host back at the release it had, restarts and smoke-checks it.
   *
   * @return what happened, for the report
   */
  private String switchBack(HostTarget host, HostStep step, String previous, DeploySpec spec) {
    if (previous.isEmpty()) {
      run.fact("host." + host.name() + ".after", spec.release() + " (no earlier release to go back to)");
      return "no earlier release to switch back to, left on " + spec.release();
    }
    try {
      HostStep back = step.release(previous);
      run.step(host.name() + ": SwitchBack", () -> changes.switchRelease(back));
      restart(host, back, spec, "RestartAfterSwitchBack");
      run.step(host.name() + ": SmokeCheckAfterSwitchBack", () -> checks.smokeCheck(back, spec.smoke().anyVersion()));
      run.fact("host." + host.name() + ".after", previous + " (switched back)");
      return "switched back to " + previous;
    } catch (RuntimeException e) {
      rethrowIfCancelled(e);
      run.fact("host." + host.name() + ".after", "switch back to " + previous + " failed: " + Failures.reason(e));
      return "switching back to " + previous + " failed too: " + Failures.reason(e);
    }
  }

  private void restart(HostTarget host, HostStep step, DeploySpec spec, String name) {
    if (!spec.hooks().restart().isEmpty()) {
      run.step(host.name() + ": " + name, () -> hooks.restart(step.hook(spec.hooks().restart(), spec.hooks().timeout())));
    }
  }

  private void plan(DeploySpec spec, List<List<HostTarget>> batches) {
    run.plan("Batches", String.join("; then ", batches.stream().map(batch -> batchLabel(spec, batch)).toList()));
    for (HostTarget host : spec.hosts()) {
      String n = host.name();
      run.plan(n + ": StageRelease", "would fill " + host.root() + "/releases/" + spec.release() + " from " + spec.artifact().describe());
      if (!spec.hooks().install().isEmpty()) {
        run.plan(n + ": Install", "would run: " + spec.hooks().install());
      }
      run.plan(n + ": SwitchRelease", "would point " + host.root() + "/current from " + shown(before.get(n)) + " to " + spec.release());
      if (!spec.hooks().restart().isEmpty()) {
        run.plan(n + ": Restart", "would run: " + spec.hooks().restart());
      }
      run.plan(n + ": SmokeCheck", "would check " + host.appUrl());
    }
    if (!spec.hooks().migrateApply().isEmpty()) {
      run.plan("MigrateDryRun", "would run once: " + spec.hooks().migrateDryRun());
      run.plan("MigrateApply", "would run once: " + spec.hooks().migrateApply());
    }
  }

  private List<HostOutcome> inParallel(List<HostTarget> hosts, Function<HostTarget, HostOutcome> work) {
    List<Promise<HostOutcome>> running = new ArrayList<>();
    for (HostTarget host : hosts) {
      running.add(Async.function(work::apply, host));
    }
    Promise.allOf(running).get();
    return running.stream().map(Promise::get).toList();
  }

  private static HostStep step(HostTarget host, String owner, DeploySpec spec) {
    return HostStep.of(host, owner, spec.release());
  }

  private static void rethrowIfCancelled(RuntimeException e) {
    if (CancellationScope.current().isCancelRequested()) {
      throw e;
    }
  }

  private static String unlock(HostTarget host) {
    return "UnlockHost " + host.name();
  }

  private static String rollBack(HostTarget host) {
    return "SwitchBack " + host.name();
  }

  /** Its hosts, and when batches keep to one group, the group they share (the first of each). */
  private static String batchLabel(DeploySpec spec, List<HostTarget> batch) {
    if (!spec.rollout().batchByGroup()) {
      return names(batch);
    }
    List<String> groups = batch.get(0).groups();
    return names(batch) + " (" + (groups.isEmpty() ? "hosts without a group" : "group " + groups.get(0)) + ")";
  }

  private static String names(List<HostTarget> hosts) {
    return hosts.isEmpty() ? "none" : String.join(", ", hosts.stream().map(HostTarget::name).toList());
  }

  private static String reasons(List<HostOutcome> failed) {
    return String.join("; ", failed.stream().map(HostOutcome::reason).toList());
  }

  private static String shown(String release) {
    return release == null || release.isEmpty() ? "no release" : release;
  }
}
