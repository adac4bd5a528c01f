package io.durablerunbooks.rollout;

import io.durablerunbooks.report.Outcome;
import io.durablerunbooks.report.RunbookReport;
import io.durablerunbooks.runbook.RunbookWorkflowBase;
import io.durablerunbooks.runbook.StepOptions;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInit;
import java.time.Duration;
import java.time.Instant;

/**
 * Progressive traffic shift from V1 to V2 through nginx: the live configuration checked, an
 * optional GO, then for each weight: [a GO when promotion is manual] -> the split written, tested
 * and reloaded -> the live split confirmed by sampling -> a bake during which the probe observes
 * V2 and V1 again and again, each evaluation recorded -> the promotion gate. A guard breach, a
 * NO-GO, a failed gate or a cancel puts all traffic back on V1 in one write and one reload. A
 * pause (Update) holds the weight: the observations and the guards go on, the bake's clock stops.
 */
public class RolloutWorkflowImpl extends RunbookWorkflowBase implements RolloutWorkflow {

  private static final String ALL_TO_V1 = "AllTrafficToV1";
  private static final String ROLLING_BACK = "is rolling back: all traffic goes back to V1";

  private final RolloutActivities checks = Workflow.newActivityStub(RolloutActivities.class, StepOptions.check());
  private final RolloutActivities changes = Workflow.newActivityStub(RolloutActivities.class, StepOptions.change());
  private final RolloutActivities probes;
  private final PauseControl pauses = new PauseControl(run);

  @WorkflowInit
  public RolloutWorkflowImpl(RolloutRequest request) {
    super(request.spec().header(), request.context());
    // An observation lasts its window; one that lasts much longer has lost its worker.
    Duration window = request.spec().probe().window();
    this.probes =
        Workflow.newActivityStub(
            RolloutActivities.class,
            ActivityOptions.newBuilder()
                .setStartToCloseTimeout(window.multipliedBy(2).plus(request.spec().probe().timeout()).plusSeconds(30))
                .setHeartbeatTimeout(Duration.ofSeconds(10))
                .setRetryOptions(RetryOptions.newBuilder().setInitialInterval(Duration.ofSeconds(1)).setMaximumAttempts(3).build())
                .build());
  }

  @Override
  public RunbookReport run(RolloutRequest request) {
    RolloutSpec spec = request.spec();
    NginxTarget nginx = spec.nginx();
    String writtenBy = spec.header().kind().id() + " " + Workflow.getInfo().getWorkflowId();
    Verdicts verdicts = new Verdicts(spec.guard(), spec.promote());
    try {
      int before = run.step("CheckNginx", () -> checks.checkNginx(nginx));
      run.fact("weight.before", before < 0 ? "unknown (" + nginx.splitFile() + " missing or not written by a rollout)" : before + " %");
      run.fact("steps", spec.weights().toString());
      if (before > 0) {
        throw run.fail(Outcome.FAILED, nginx.splitFile() + " on " + nginx.host().name() + " already sends " + before
            + " % to V2: another rollout is running or did not finish. Finish or roll back that one (all traffic on V1) first;"
            + " nothing was changed");
      }
      if (spec.header().approval().required()
          && !awaitGo("ApproveRollout", "GO to shift traffic from " + nginx.v1Upstream() + " to " + nginx.v2Upstream() + " in steps "
              + spec.weights() + " %?")) {
        throw run.fail(Outcome.REJECTED, "rollout not approved: traffic untouched");
      }
      if (run.dryRun()) {
        plan(spec);
        return run.succeed();
      }

      run.compensateOnFailure(ALL_TO_V1, () -> allToV1(nginx, writtenBy, verdicts));
      for (int i = 0; i < spec.weights().size(); i++) {
        int weight = spec.weights().get(i);
        if (i > 0 && spec.promoteEachStep()) {
          pauses.awaitingGo(weight);
          if (!awaitGo("Promote" + weight, "GO to promote V2 to " + weight + " %?")) {
            throw run.fail(Outcome.ROLLED_BACK, "promotion to " + weight + " % refused: all traffic back on V1");
          }
          pauses.awaitingGo(0);
        }
        pauses.shifting(weight);
        run.step("SetTrafficWeight " + weight + "%", () -> changes.setWeight(nginx, weight, writtenBy));
        confirmSplit(spec, weight);
        bake(spec, weight, verdicts);
      }
      pauses.end("finished: all traffic on V2");
      run.keepChange(ALL_TO_V1);
      run.fact("weight.after", "100 %");
      notify("succeeded", "Rollout " + spec.header().name() + ": all traffic on " + nginx.v2Upstream() + ".");
      return run.succeed();
    } catch (RuntimeException e) {
      throw ended(e, "Rollout " + spec.header().name(), "");
    }
  }

  private void confirmSplit(RolloutSpec spec, int weight) {
    String name = "ConfirmSplit " + weight + "%";
    NginxTarget nginx = spec.nginx();
    SplitSample sample =
        run.step(name, () -> checks.sampleSplit(spec.probe(), nginx.v1Upstream(), nginx.v2Upstream(), spec.splitSamples()));
    double off = Math.abs(sample.v2Percent() - weight);
    String measured = String.format(java.util.Locale.ROOT, "V2 answered %.1f %% of %d requests (weight %d %%, tolerance %d points)",
        sample.v2Percent(), sample.v1() + sample.v2(), weight, spec.splitTolerance())
        + (sample.unattributed() > 0 ? "; " + sample.unattributed() + " answered by neither" : "");
    run.detail(name, measured);
    run.fact("split." + weight, measured);
    if (sample.v1() + sample.v2() == 0) {
      throw breach(spec, weight, "no data for V2: no request through " + spec.probe().url() + " was answered by either version ("
          + sample.unattributed() + " failed), so the split cannot be confirmed; missing data never passes");
    }
    if (off > spec.splitTolerance()) {
      throw run.fail(Outcome.ROLLED_BACK, "the live split does not match the configuration: " + measured);
    }
  }

  /**
   * Observes until the bake is over, not counting the time paused, and no pause is in force;
   * returns when the promotion gate passes, else rolls back.
   */
  private void bake(RolloutSpec spec, int weight, Verdicts verdicts) {
    NginxTarget nginx = spec.nginx();
    verdicts.newStep();
    long bake = spec.bake().toMillis();
    long start = Workflow.currentTimeMillis();
    long pausedBefore = pauses.pausedMillis();
    int n = 0;
    boolean waitingForData = false;
    do {
      String name = "Observe " + weight + "% #" + (++n);
      long started = Workflow.currentTimeMillis();
      Observation o =
          run.step(name, () -> spec.prometheus().configured()
              ? probes.queryMetrics(spec.prometheus(), nginx.v1Upstream(), nginx.v2Upstream(), spec.probe().window())
              : probes.observe(spec.probe(), nginx.v1Upstream(), nginx.v2Upstream()));
      Verdicts.Guard verdict = verdicts.judge(o);
      run.detail(name, verdicts.describe(o, verdict));
      if (verdict == Verdicts.Guard.ROLL_BACK) {
        throw breach(spec, weight, verdicts.breach());
      }
      waitingForData = verdict == Verdicts.Guard.NO_DATA;
      if (waitingForData && spec.guard().missingData() == GuardPolicy.MissingData.ROLLBACK) {
        throw breach(spec, weight, "no data for V2 (" + (o.problem().isEmpty() ? "metrics source down, or V2 answered nothing"
            : o.problem()) + "): missing data never passes");
      }
      if (waitingForData && baked(start, pausedBefore) >= 2 * bake) {
        throw breach(spec, weight, "no data for V2 for longer than the bake again: the rollout paused, then gave up");
      }
      // Observations follow each other at the probe's window, even when one ended early.
      Duration rest = spec.probe().window().minusMillis(Workflow.currentTimeMillis() - started);
      if (!rest.isNegative() && !rest.isZero()) {
        Workflow.sleep(rest);
      }
      // A pause that came during an observation which took the bake past its end still holds.
    } while (baked(start, pausedBefore) < bake || waitingForData || pauses.paused());
    String problem = verdicts.gateProblem();
    run.fact("gate." + weight, problem.isEmpty() ? "passed after " + n + " observations" : "failed: " + problem);
    if (!problem.isEmpty()) {
      throw run.fail(Outcome.ROLLED_BACK, "the promotion gate at " + weight + " % failed: " + problem + "; all traffic back on V1");
    }
  }

  /** How long the step has baked since {@code start}: its time, less the time paused. */
  private long baked(long start, long pausedBefore) {
    return Workflow.currentTimeMillis() - start - (pauses.pausedMillis() - pausedBefore);
  }

  private RuntimeException breach(RolloutSpec spec, int weight, String why) {
    pauses.end(ROLLING_BACK);
    run.fact("breach", "at " + weight + " %: " + why);
    notify("failed", "Rollout " + spec.header().name() + " rolls back at " + weight + " %: " + why);
    return run.fail(Outcome.ROLLED_BACK, "guard breach at " + weight + " %: " + why + "; all traffic back on V1");
  }

  /** The compensation: one write and one reload; how long after the breach began it was done. */
  private void allToV1(NginxTarget nginx, String writtenBy, Verdicts verdicts) {
    pauses.end(ROLLING_BACK);
    SplitChange change = changes.setWeight(nginx, 0, writtenBy);
    run.fact("weight.after", "0 % (all traffic on " + nginx.v1Upstream() + " since " + change.reloadedAt() + ")");
    Instant since = verdicts.breachingSince();
    if (since != null) {
      long millis = Instant.parse(change.reloadedAt()).toEpochMilli() - since.toEpochMilli();
      run.fact("rollback.breachToAllV1Millis", millis);
    }
  }

  @Override
  public PauseRecord pause(PauseRequest request) {
    return pauses.pause(request);
  }

  @Override
  public void validatePause(PauseRequest request) {
    pauses.validate(true, request);
  }

  @Override
  public PauseRecord resume(PauseRequest request) {
    return pauses.resume(request);
  }

  @Override
  public void validateResume(PauseRequest request) {
    pauses.validate(false, request);
  }

  private void plan(RolloutSpec spec) {
    NginxTarget nginx = spec.nginx();
    for (int weight : spec.weights()) {
      run.plan("SetTrafficWeight " + weight + "%", "would write " + nginx.splitFile() + " on " + nginx.host().name()
          + " with V2 (" + nginx.v2Upstream() + ") at " + weight + " %, test (" + nginx.testCommand() + ") and reload ("
          + nginx.reloadCommand() + ")");
      run.plan("Bake " + weight + "%", "would observe " + spec.probe().url() + " for " + spec.bake().toSeconds()
          + " s, rolling back on a guard breach");
    }
  }
}
