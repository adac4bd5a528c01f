package io.durablerunbooks.runbook;

import io.durablerunbooks.approval.ApprovalGate;
import io.durablerunbooks.approval.ApprovalRecord;
import io.durablerunbooks.approval.Verdict;
import io.durablerunbooks.report.Outcome;
import io.durablerunbooks.report.RunbookProgress;
import io.durablerunbooks.report.RunbookReport;
import io.durablerunbooks.report.StepRecord;
import io.durablerunbooks.report.StepStatus;
import io.temporal.common.SearchAttributeKey;
import io.temporal.common.SearchAttributes;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Everything a run knows about itself, kept in one object so that the progress query, the approval
 * handlers and the final report always agree: the steps with their times, the gate, the facts
 * learnt along the way, and the outcome.
 */
public final class RunbookRun {

  private static final SearchAttributeKey<String> KIND =
      SearchAttributeKey.forKeyword(Runbooks.SA_KIND);
  private static final SearchAttributeKey<String> OUTCOME =
      SearchAttributeKey.forKeyword(Runbooks.SA_OUTCOME);
  private static final SearchAttributeKey<String> NAME = SearchAttributeKey.forKeyword(Runbooks.SA_NAME);
  private static final SearchAttributeKey<String> ENVIRONMENT =
      SearchAttributeKey.forKeyword(Runbooks.SA_ENVIRONMENT);
  private static final SearchAttributeKey<String> INITIATOR =
      SearchAttributeKey.forKeyword(Runbooks.SA_INITIATOR);

  private final RunbookHeader header;
  private final RunContext context;
  private final ApprovalGate gate;
  private final Instant startedAt;
  private final List<StepRecord> steps = new ArrayList<>();
  private final Map<String, String> facts = new LinkedHashMap<>();
  /** Undos of changes made and not yet wanted, newest first. */
  private final Deque<Compensation> compensations = new ArrayDeque<>();
  private Outcome outcome = Outcome.RUNNING;

  public RunbookRun(RunbookHeader header, RunContext context) {
    this.header = header;
    this.context = context;
    this.gate = new ApprovalGate(header.approval(), context.initiator());
    this.startedAt = now();
  }

  public RunbookHeader header() {
    return header;
  }

  public RunContext context() {
    return context;
  }

  public boolean dryRun() {
    return context.dryRun();
  }

  public ApprovalGate gate() {
    return gate;
  }

  /** Runs one named step, recording its start, end and outcome. */
  public <T> T step(String name, Supplier<T> action) {
    int index = begin(name);
    try {
      T result = action.get();
      end(index, StepStatus.SUCCEEDED, "");
      return result;
    } catch (RuntimeException e) {
      end(index, StepStatus.FAILED, Failures.reason(e));
      throw e;
    }
  }

  public void step(String name, Runnable action) {
    step(
        name,
        () -> {
          action.run();
          return null;
        });
  }

  /**
   * Starts a step that ends on an event rather than when an action returns (a pause, ended by a
   * resume); returns the handle {@link #endStep} takes.
   */
  public int startStep(String name, String detail) {
    int index = begin(name);
    StepRecord s = steps.get(index);
    steps.set(index, new StepRecord(s.name(), s.status(), s.startedAt(), s.finishedAt(), detail));
    return index;
  }

  /** Ends a step started with {@link #startStep}. */
  public void endStep(int handle, StepStatus status, String detail) {
    end(handle, status, detail);
  }

  /** Dry run: records what the step would do, and does nothing. */
  public void plan(String name, String wouldDo) {
    Instant now = now();
    steps.add(new StepRecord(name, StepStatus.PLANNED, now, now, wouldDo));
  }

  /**
   * Registers the undo of the change the next step makes, run if the run fails or is cancelled
   * before {@link #keepChange} says the change is wanted. Register it right before that step:
   * an activity that failed or was cancelled halfway may have left part of its change behind.
   */
  public void compensateOnFailure(String name, Runnable undo) {
    compensations.push(new Compensation(name, undo));
  }

  /** The change undone by the named compensation is now wanted: a later failure leaves it. */
  public void keepChange(String name) {
    compensations.removeIf(c -> c.name().equals(name));
  }

  /**
   * Runs the pending compensations, newest first, each as a step of its own. A compensation that
   * fails is recorded as failed and the others still run: the report then says what is left.
   */
  public void compensate() {
    while (!compensations.isEmpty()) {
      Compensation c = compensations.pop();
      int index = begin(c.name());
      try {
        c.undo().run();
        end(index, StepStatus.COMPENSATED, "");
      } catch (RuntimeException e) {
        end(index, StepStatus.FAILED, "compensation failed: " + Failures.reason(e));
      }
    }
  }

  /** Adds detail to the most recent step with that name (sizes, keys, counts). */
  public void detail(String name, String detail) {
    for (int i = steps.size() - 1; i >= 0; i--) {
      StepRecord s = steps.get(i);
      if (s.name().equals(name)) {
        steps.set(i, new StepRecord(s.name(), s.status(), s.startedAt(), s.finishedAt(), detail));
        return;
      }
    }
  }

  /** Waits at the approval gate as a named step; true on GO. */
  public boolean approval(String gateName, String prompt) {
    int index = begin(gateName);
    ApprovalRecord decision = gate.await(gateName, prompt);
    boolean go = decision.verdict() == Verdict.GO;
    String who = decision.approver().isEmpty() ? decision.channel() : decision.approver();
    end(
        index,
        go ? StepStatus.SUCCEEDED : StepStatus.FAILED,
        decision.verdict() + " by " + who + (decision.comment().isEmpty() ? "" : ": " + decision.comment()));
    return go;
  }

  public void fact(String key, Object value) {
    facts.put(key, String.valueOf(value));
  }

  public Map<String, String> facts() {
    return Map.copyOf(facts);
  }

  public RunbookProgress progress() {
    return new RunbookProgress(
        header.kind().id(),
        header.name(),
        header.environment(),
        context.initiator(),
        context.dryRun(),
        outcome,
        steps,
        gate.state(),
        gate.records());
  }

  /** Ends the run successfully. */
  public RunbookReport succeed() {
    return finish(Outcome.SUCCEEDED, "");
  }

  /**
   * Ends the run unsuccessfully, after running the pending compensations. The returned failure carries the report as its details; the
   * workflow throws it, so Temporal shows the run as failed and the report stays in the history.
   */
  public ApplicationFailure fail(Outcome how, String reason) {
    compensate();
    RunbookReport report = finish(how, reason);
    return ApplicationFailure.newNonRetryableFailure(
        how + ": " + reason, RunbookReport.failureType(how), report);
  }

  /**
   * Search attributes for a child runbook, so the UI filters it like a run of its own; none when
   * this run was started without them (they may not be registered on the server).
   */
  public SearchAttributes childSearchAttributes(RunbookHeader child) {
    if (!Workflow.getTypedSearchAttributes().containsKey(KIND)) {
      return SearchAttributes.EMPTY;
    }
    return SearchAttributes.newBuilder()
        .set(KIND, child.kind().id())
        .set(NAME, child.name())
        .set(ENVIRONMENT, child.environment())
        .set(INITIATOR, context.initiator())
        .build();
  }

  /**
   * Records a cancellation after running the pending compensations; call it in a detached scope,
   * since the run's own scope is cancelled. The workflow rethrows the cancellation itself.
   */
  public void cancelled() {
    compensate();
    finish(Outcome.CANCELLED, "cancelled");
  }

  /** Whether a failure is a run's own end (thrown by {@link #fail}), to be passed through as is. */
  public static boolean isEnd(Throwable e) {
    return e instanceof ApplicationFailure app && app.getType().startsWith("Runbook");
  }

  private RunbookReport finish(Outcome how, String reason) {
    outcome = how;
    // Only a run started with our search attributes has them registered on the server; upserting
    // an unregistered attribute would fail the workflow task, so a bare start skips it.
    if (Workflow.getTypedSearchAttributes().containsKey(KIND)) {
      Workflow.upsertTypedSearchAttributes(OUTCOME.valueSet(how.name()));
    }
    return new RunbookReport(
        header.kind().id(),
        header.name(),
        header.environment(),
        Workflow.getInfo().getWorkflowId(),
        Workflow.getInfo().getRunId(),
        context.initiator(),
        context.dryRun(),
        how,
        reason,
        startedAt,
        now(),
        steps,
        gate.records(),
        facts);
  }

  private record Compensation(String name, Runnable undo) {}

  private int begin(String name) {
    steps.add(new StepRecord(name, StepStatus.RUNNING, now(), Instant.EPOCH, ""));
    return steps.size() - 1;
  }

  private void end(int index, StepStatus status, String detail) {
    StepRecord s = steps.get(index);
    steps.set(index, new StepRecord(s.name(), status, s.startedAt(), now(), detail));
  }

  private static Instant now() {
    return Instant.ofEpochMilli(Workflow.currentTimeMillis());
  }
}
