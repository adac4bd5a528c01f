package io.durablerunbooks.cutover;

import io.durablerunbooks.definition.Durations;
import io.durablerunbooks.report.Outcome;
import io.durablerunbooks.report.RunbookReport;
import io.durablerunbooks.report.StepStatus;
import io.durablerunbooks.runbook.Failures;
import io.durablerunbooks.runbook.RunbookWorkflowBase;
import io.durablerunbooks.runbook.StepOptions;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInit;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The 24 hours after a cutover: a sample every interval (health, error rate and p95 through the
 * application, slow statements, dead rows), an alert on each breach, and at the end the report
 * with the original procedure's criteria: uptime, zero incidents, latency within the baseline,
 * bloat under its limit. Continues as new every {@value #SAMPLES_PER_RUN} samples, carrying what
 * it saw, so a long watch never grows one history without bound.
 */
public class PostCutoverWatchWorkflowImpl extends RunbookWorkflowBase implements PostCutoverWatchWorkflow {

  static final int SAMPLES_PER_RUN = 100;
  private static final int KEPT_INCIDENTS = 100;
  private static final int KEPT_STATEMENTS = 5;

  private final WatchActivities sampler = Workflow.newActivityStub(WatchActivities.class, StepOptions.check());

  @WorkflowInit
  public PostCutoverWatchWorkflowImpl(WatchRequest request) {
    super(request.spec().header(), request.context());
  }

  @Override
  public RunbookReport run(WatchRequest request) {
    WatchSpec spec = request.spec();
    WatchOptions o = spec.options();
    WatchState state = request.state();
    long end = state.startedAtMillis() + o.period().toMillis();
    run.fact("switchedAt", spec.switchedAt());
    int watching = run.startStep("Watch", describe(state, spec));
    int samples = 0;
    while (Workflow.currentTimeMillis() < end) {
      WatchSample sample;
      try {
        sample = sampler.sample(spec);
      } catch (RuntimeException e) {
        sample = new WatchSample(false, "not sampled: " + Failures.reason(e), 0, 0, 0, List.of(), Map.of());
      }
      List<String> breaches = breaches(sample, spec);
      state = fold(state, sample, breaches);
      for (String breach : breaches) {
        int h = run.startStep("Incident", breach);
        run.endStep(h, StepStatus.FAILED, breach);
        notify("alert", "Post-cutover watch of " + spec.header().name() + ": " + breach);
      }
      run.detail("Watch", describe(state, spec));
      samples++;
      long now = Workflow.currentTimeMillis();
      if (samples >= SAMPLES_PER_RUN && now + o.interval().toMillis() < end) {
        Workflow.sleep(o.interval());
        run.endStep(watching, StepStatus.SUCCEEDED, describe(state, spec) + "; continued as new");
        Workflow.newContinueAsNewStub(PostCutoverWatchWorkflow.class).run(new WatchRequest(request.context(), spec, state));
      }
      if (now < end) {
        Workflow.sleep(Duration.ofMillis(Math.min(o.interval().toMillis(), end - now)));
      }
    }
    run.endStep(watching, StepStatus.SUCCEEDED, describe(state, spec));
    return report(spec, state);
  }

  /** What this sample breaches, each as one line with the measured value and the limit. */
  private static List<String> breaches(WatchSample s, WatchSpec spec) {
    WatchOptions o = spec.options();
    List<String> out = new ArrayList<>();
    if (!s.healthy()) {
      out.add("unhealthy: " + s.health());
    }
    if (s.requests() > 0 && s.errorRate() > o.maxErrorRate()) {
      out.add(String.format("error rate %.1f %% (%d of %d requests) above %.1f %%", 100 * s.errorRate(), s.failed(), s.requests(),
          100 * o.maxErrorRate()));
    }
    long limit = latencyLimit(spec);
    if (s.requests() > 0 && limit > 0 && s.p95Millis() > limit) {
      out.add("p95 " + s.p95Millis() + " ms above " + limit + " ms (" + o.latencyFactor() + " x the baseline's "
          + spec.baselineP95Millis() + " ms on MySQL)");
    }
    s.deadShare().forEach((table, share) -> {
      if (share > o.maxBloat()) {
        out.add(String.format("%s: dead rows %.1f %% of the table, above %.1f %%", table, 100 * share, 100 * o.maxBloat()));
      }
    });
    return out;
  }

  /** The baseline's p95 times the factor; a baseline under 10 ms is taken as 10 ms, so noise is no incident. */
  private static long latencyLimit(WatchSpec spec) {
    return Math.round(Math.max(10, spec.baselineP95Millis()) * spec.options().latencyFactor());
  }

  private static WatchState fold(WatchState st, WatchSample s, List<String> breaches) {
    String at = Instant.ofEpochMilli(Workflow.currentTimeMillis()).toString();
    List<String> incidents = new ArrayList<>(st.incidents());
    for (String b : breaches) {
      if (incidents.size() < KEPT_INCIDENTS) {
        incidents.add(at + " " + b);
      }
    }
    LinkedHashSet<String> statements = new LinkedHashSet<>(s.slowStatements());
    statements.addAll(st.slowStatements());
    double worstShare = st.worstDeadShare();
    String worstTable = st.worstDeadTable();
    for (Map.Entry<String, Double> e : s.deadShare().entrySet()) {
      if (e.getValue() > worstShare) {
        worstShare = e.getValue();
        worstTable = e.getKey();
      }
    }
    return new WatchState(
        st.startedAtMillis(), st.samples() + 1, st.healthySamples() + (s.healthy() ? 1 : 0), st.requests() + s.requests(),
        st.failed() + s.failed(), Math.max(st.worstP95Millis(), s.p95Millis()), worstShare, worstTable, incidents,
        statements.stream().limit(KEPT_STATEMENTS).toList());
  }

  private static String describe(WatchState st, WatchSpec spec) {
    return st.samples() + " samples, " + st.healthySamples() + " healthy, " + st.incidents().size() + " incidents, worst p95 "
        + st.worstP95Millis() + " ms (limit " + latencyLimit(spec) + " ms)";
  }

  private RunbookReport report(WatchSpec spec, WatchState st) {
    WatchOptions o = spec.options();
    double uptime = st.samples() == 0 ? 0 : (double) st.healthySamples() / st.samples();
    double errorRate = st.requests() == 0 ? 1 : (double) st.failed() / st.requests();
    run.fact("report.samples", st.samples());
    run.fact("report.uptime", String.format("%.3f %% (%d of %d samples healthy; at least %.3f %% required)", 100 * uptime,
        st.healthySamples(), st.samples(), 100 * o.minUptime()));
    run.fact("report.errorRate", String.format("%.2f %% of %d requests", 100 * errorRate, st.requests()));
    run.fact("report.incidents", st.incidents().size());
    for (int i = 0; i < st.incidents().size(); i++) {
      run.fact("report.incident." + (i + 1), st.incidents().get(i));
    }
    run.fact("report.worstP95Millis", st.worstP95Millis() + " (limit " + latencyLimit(spec) + ", baseline on MySQL " + spec.baselineP95Millis() + ")");
    run.fact("report.worstDeadRows", String.format("%.2f %%%s (limit %.1f %%)", 100 * st.worstDeadShare(),
        st.worstDeadTable().isEmpty() ? "" : " in " + st.worstDeadTable(), 100 * o.maxBloat()));
    for (int i = 0; i < st.slowStatements().size(); i++) {
      run.fact("report.slowStatement." + (i + 1), st.slowStatements().get(i));
    }
    List<String> failed = new ArrayList<>();
    if (uptime < o.minUptime()) {
      failed.add(String.format("uptime %.3f %% below %.3f %%", 100 * uptime, 100 * o.minUptime()));
    }
    if (!st.incidents().isEmpty()) {
      failed.add(st.incidents().size() + " incidents");
    }
    if (st.worstP95Millis() > latencyLimit(spec)) {
      failed.add("p95 up to " + st.worstP95Millis() + " ms, above " + latencyLimit(spec) + " ms");
    }
    if (st.worstDeadShare() > o.maxBloat()) {
      failed.add(String.format("dead rows up to %.1f %% in %s", 100 * st.worstDeadShare(), st.worstDeadTable()));
    }
    run.step("WriteReport", () -> {});
    if (!failed.isEmpty()) {
      String reason = "the report after " + Durations.format(o.period()) + " fails: " + String.join("; ", failed);
      notify("failed", "Post-cutover watch of " + spec.header().name() + ": " + reason);
      throw run.fail(Outcome.FAILED, reason);
    }
    notify("succeeded", "Post-cutover watch of " + spec.header().name() + ": " + Durations.format(o.period()) + " on PostgreSQL with "
        + String.format("%.3f %%", 100 * uptime) + " uptime, no incident, p95 within the baseline, bloat under the limit.");
    return run.succeed();
  }
}
