package io.durablerunbooks.rollback;

import io.durablerunbooks.deploy.DeployActivities;
import io.durablerunbooks.deploy.HostReleaseState;
import io.durablerunbooks.deploy.HostStep;
import io.durablerunbooks.deploy.HostTarget;
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
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Puts the hosts running a bad release back on an earlier one: every host inspected, the bad
 * release and the one to go back to worked out (the newest release the hosts ran before that is
 * staged everywhere and not marked bad, or the one the file names), a confirmation GO, the bad
 * release marked on every host so no deploy or rollback picks it again, then batch by batch on
 * each host: lock, switch, restart, smoke-check, unlock. A host that fails does not stop the
 * others: the aim is every host off the bad release.
 */
public class RollbackWorkflowImpl extends RunbookWorkflowBase implements RollbackWorkflow {

  /** A deploy that holds a host's lock is waited for this long: it may be switching back itself. */
  static final Duration LOCK_PATIENCE = Duration.ofMinutes(10);

  private final DeployActivities checks = Workflow.newActivityStub(DeployActivities.class, StepOptions.check());
  private final DeployActivities locks =
      Workflow.newActivityStub(DeployActivities.class, StepOptions.waitForLock(LOCK_PATIENCE));
  private final DeployActivities changes = Workflow.newActivityStub(DeployActivities.class, StepOptions.change());
  private final DeployActivities hooks;

  /** The releases chosen from what the hosts hold. */
  private record Choice(String from, String to) {}

  @WorkflowInit
  public RollbackWorkflowImpl(RollbackRequest request) {
    super(request.spec().header(), request.context());
    this.hooks = Workflow.newActivityStub(DeployActivities.class, StepOptions.remoteCommand(request.spec().hookTimeout()));
  }

  @Override
  public RunbookReport run(RollbackRequest request) {
    RollbackSpec spec = request.spec();
    String owner = Workflow.getInfo().getWorkflowId() + " run " + Workflow.getInfo().getRunId();
    try {
      Map<String, HostReleaseState> states = new LinkedHashMap<>();
      for (HostTarget host : spec.hosts()) {
        HostReleaseState state =
            run.step(host.name() + ": InspectReleases", () -> checks.inspectReleases(HostStep.of(host, owner, "")));
        states.put(host.name(), state);
        run.detail(host.name() + ": InspectReleases", "on " + shown(state.current()) + (state.bad().isEmpty() ? ""
            : "; marked bad: " + String.join(", ", state.bad().keySet().stream().sorted().toList())));
        run.fact("host." + host.name() + ".before", shown(state.current()));
      }
      Choice choice = choose(spec, states);
      List<HostTarget> leaving = spec.hosts().stream().filter(h -> leaves(states.get(h.name()), choice.from(), states)).toList();
      run.fact("release.bad", choice.from());
      run.fact("release.to", choice.to());
      for (HostTarget host : spec.hosts()) {
        String on = states.get(host.name()).current();
        if (!leaving.contains(host)) {
          run.fact("host." + host.name() + ".after", shown(on) + " (not on " + choice.from() + " nor on a bad release, left as it is)");
        }
      }
      if (run.dryRun()) {
        plan(spec, choice, leaving);
        return run.succeed();
      }
      if (!awaitGo(
          "ConfirmRollback",
          "GO to roll back " + names(leaving) + " from " + choice.from() + " to " + choice.to() + "? " + choice.from()
              + " will be marked bad on every host: " + spec.reason())) {
        throw run.fail(Outcome.REJECTED, "rollback not confirmed: no host was touched, " + choice.from() + " is not marked bad");
      }

      for (HostTarget host : spec.hosts()) {
        run.step(host.name() + ": MarkReleaseBad", () -> changes.markReleaseBad(HostStep.of(host, owner, choice.from()), spec.reason()));
      }
      List<String> failed = new ArrayList<>();
      for (int i = 0; i < leaving.size(); i += spec.batchSize()) {
        List<Promise<String>> running = new ArrayList<>();
        for (HostTarget host : leaving.subList(i, Math.min(leaving.size(), i + spec.batchSize()))) {
          running.add(Async.function(() -> rollBack(host, owner, choice, spec)));
        }
        Promise.allOf(running).get();
        running.stream().map(Promise::get).filter(r -> !r.isEmpty()).forEach(failed::add);
      }
      if (!failed.isEmpty()) {
        String reason = failed.size() + " of " + leaving.size() + " hosts could not be rolled back to " + choice.to() + ": "
            + String.join("; ", failed);
        notify("failed", "Rollback " + spec.header().name() + ": " + reason);
        throw run.fail(Outcome.FAILED, reason);
      }
      notify("succeeded", "Rolled back " + names(leaving) + " from " + choice.from() + " to " + choice.to() + "; "
          + choice.from() + " is marked bad.");
      return run.succeed();
    } catch (RuntimeException e) {
      throw ended(e, "Rollback " + spec.header().name(), "");
    }
  }

  /**
   * The release to leave and the one to go back to; ends the run, with nothing changed, when there
   * is none. The release to leave is one already marked bad that a host still runs (an earlier
   * rollback of some of the hosts), else the one the hosts switched to last.
   */
  private Choice choose(RollbackSpec spec, Map<String, HostReleaseState> states) {
    Comparator<HostReleaseState> newest = Comparator.comparing(HostReleaseState::currentSince);
    List<HostReleaseState> running = states.values().stream().filter(s -> !s.current().isEmpty()).toList();
    String from =
        running.stream()
            .filter(s -> markedBad(s.current(), states))
            .max(newest)
            .or(() -> running.stream().max(newest))
            .map(HostReleaseState::current)
            .orElseThrow(() -> run.fail(Outcome.FAILED, "no host has a current release: there is nothing to roll back"));
    List<HostReleaseState> onBad = states.values().stream().filter(s -> leaves(s, from, states)).toList();
    if (!spec.to().isEmpty()) {
      if (spec.to().equals(from)) {
        throw run.fail(Outcome.FAILED, "to: " + from + " is the release the hosts switched to last, the one a rollback leaves;"
            + " name an earlier release, or leave to: out for the newest good one");
      }
      String problem = unusable(spec.to(), states, onBad);
      if (!problem.isEmpty()) {
        throw run.fail(Outcome.FAILED, "to: " + spec.to() + " " + problem + "; nothing was changed");
      }
      return new Choice(from, spec.to());
    }
    List<String> skipped = new ArrayList<>();
    java.util.Set<String> judged = new java.util.HashSet<>();
    List<HostReleaseState.Switch> history =
        states.values().stream()
            .flatMap(s -> s.switched().stream())
            .sorted(Comparator.comparing(HostReleaseState.Switch::at).reversed())
            .toList();
    for (HostReleaseState.Switch candidate : history) {
      String release = candidate.release();
      if (release.equals(from) || !judged.add(release)) {
        continue;
      }
      String problem = unusable(release, states, onBad);
      if (problem.isEmpty()) {
        run.fact("releases.skipped", skipped.isEmpty() ? "none" : String.join("; ", skipped));
        return new Choice(from, release);
      }
      skipped.add(release + " " + problem);
    }
    throw run.fail(Outcome.FAILED, "no earlier good release to go back to from " + from
        + (skipped.isEmpty() ? ": the hosts ran no other release that is still staged" : ": " + String.join("; ", skipped))
        + "; nothing was changed");
  }

  /** A host leaves its release when it is the one rolled back or one marked bad on any host. */
  private static boolean leaves(HostReleaseState host, String from, Map<String, HostReleaseState> states) {
    return host.current().equals(from) || markedBad(host.current(), states);
  }

  private static boolean markedBad(String release, Map<String, HostReleaseState> states) {
    return !release.isEmpty() && states.values().stream().anyMatch(s -> s.bad().containsKey(release));
  }

  /** Why a release cannot be gone back to, or empty if it can. */
  private static String unusable(String release, Map<String, HostReleaseState> states, List<HostReleaseState> onBad) {
    for (Map.Entry<String, HostReleaseState> e : states.entrySet()) {
      String mark = e.getValue().bad().get(release);
      if (mark != null) {
        return "is marked bad on " + e.getKey() + " (" + mark + ")";
      }
    }
    List<String> missing =
        states.entrySet().stream()
            .filter(e -> onBad.contains(e.getValue()) && !e.getValue().staged().contains(release))
            .map(Map.Entry::getKey)
            .toList();
    return missing.isEmpty() ? "" : "is not staged on " + String.join(", ", missing);
  }

  /**
   * Lock, switch, restart, smoke-check, unlock on one host.
   *
   * @return empty on success, else what went wrong there
   */
  private String rollBack(HostTarget host, String owner, Choice choice, RollbackSpec spec) {
    HostStep step = HostStep.of(host, owner, choice.to());
    String unlock = "UnlockHost " + host.name();
    try {
      run.compensateOnFailure(unlock, () -> changes.unlockHost(step));
      run.step(host.name() + ": LockHost", () -> locks.lockHost(step));
      run.step(host.name() + ": SwitchRelease", () -> changes.switchRelease(step));
      if (!spec.restart().isEmpty()) {
        run.step(host.name() + ": Restart", () -> hooks.restart(step.hook(spec.restart(), spec.hookTimeout())));
      }
      AppSmokeResult smoke = run.step(host.name() + ": SmokeCheck", () -> checks.smokeCheck(step, spec.smoke()));
      run.detail(host.name() + ": SmokeCheck", smoke.checks().size() + " checks passed at " + smoke.baseUrl());
      run.step(host.name() + ": UnlockHost", () -> changes.unlockHost(step));
      run.keepChange(unlock);
      run.fact("host." + host.name() + ".after", choice.to());
      return "";
    } catch (RuntimeException e) {
      if (CancellationScope.current().isCancelRequested()) {
        throw e;
      }
      run.fact("host." + host.name() + ".after", "rollback failed: " + Failures.reason(e));
      return host.name() + ": " + Failures.reason(e);
    }
  }

  private void plan(RollbackSpec spec, Choice choice, List<HostTarget> leaving) {
    for (HostTarget host : spec.hosts()) {
      run.plan(host.name() + ": MarkReleaseBad", "would mark " + choice.from() + " bad in " + host.root() + "/release-marks: "
          + spec.reason());
    }
    for (HostTarget host : leaving) {
      run.plan(host.name() + ": SwitchRelease", "would point " + host.root() + "/current from " + choice.from() + " to " + choice.to());
      if (!spec.restart().isEmpty()) {
        run.plan(host.name() + ": Restart", "would run: " + spec.restart());
      }
      run.plan(host.name() + ": SmokeCheck", "would check " + host.appUrl());
    }
  }

  private static String names(List<HostTarget> hosts) {
    return String.join(", ", hosts.stream().map(HostTarget::name).toList());
  }

  private static String shown(String release) {
    return release.isEmpty() ? "no release" : release;
  }
}
