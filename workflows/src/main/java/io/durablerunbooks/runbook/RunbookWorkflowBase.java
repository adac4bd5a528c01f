package io.durablerunbooks.runbook;

import io.durablerunbooks.approval.ApprovalDecision;
import io.durablerunbooks.approval.ApprovalRecord;
import io.durablerunbooks.notify.Notification;
import io.durablerunbooks.notify.NotifyActivities;
import io.durablerunbooks.report.Outcome;
import io.durablerunbooks.report.RunbookProgress;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Workflow;

/** The handlers every runbook shares: progress, GO / NO-GO, notifications. */
public abstract class RunbookWorkflowBase implements RunbookWorkflow {

  protected final RunbookRun run;
  private final NotifyActivities notifier =
      Workflow.newActivityStub(NotifyActivities.class, StepOptions.notification());

  protected RunbookWorkflowBase(RunbookHeader header, RunContext context) {
    this.run = new RunbookRun(header, context);
  }

  @Override
  public RunbookProgress progress() {
    return run.progress();
  }

  @Override
  public void approval(ApprovalDecision decision) {
    run.gate().onSignal(decision);
  }

  @Override
  public ApprovalRecord decide(ApprovalDecision decision) {
    return run.gate().onUpdate(decision);
  }

  @Override
  public void validateDecide(ApprovalDecision decision) {
    run.gate().validate(decision);
  }

  /**
   * The shared end of a run that did not succeed, for the workflow to throw: a cancellation runs
   * the pending compensations outside the cancelled scope and ends CANCELLED; a run's own end
   * ({@link RunbookRun#fail}) passes through; any other failure runs the compensations, tells the
   * webhook and ends FAILED with the report.
   *
   * @param subject how the notification names the run, e.g. {@code Backup orders-nightly}
   * @param afterReason appended to the reason, e.g. what the failure left untouched; or empty
   */
  protected RuntimeException ended(RuntimeException e, String subject, String afterReason) {
    // A step interrupted by the cancellation fails with an ActivityFailure caused by the
    // cancellation, not with a CanceledFailure, so the scope's state is what tells.
    if (e instanceof CanceledFailure || CancellationScope.current().isCancelRequested()) {
      Workflow.newDetachedCancellationScope(run::cancelled).run();
      return e instanceof CanceledFailure ? e : new CanceledFailure("cancelled during " + Failures.reason(e));
    }
    if (RunbookRun.isEnd(e)) {
      return e;
    }
    run.compensate();
    String reason = Failures.reason(e) + afterReason;
    notify("failed", subject + " failed: " + reason);
    return run.fail(Outcome.FAILED, reason);
  }

  /** Tells the runbook's webhook, if it has one; a failed notification never fails the run. */
  protected void notify(String event, String text) {
    RunbookHeader h = run.header();
    if (h.webhook().isEmpty() || run.dryRun()) {
      return;
    }
    try {
      notifier.notify(new Notification(h.webhook(), event, h.name(), h.environment(), text));
    } catch (RuntimeException e) {
      Workflow.getLogger(getClass()).warn("notification {} not sent: {}", event, Failures.reason(e));
    }
  }

  /** Opens the gate, telling the webhook that a GO is awaited; true on GO. */
  protected boolean awaitGo(String gate, String prompt) {
    notify(
        "approval-requested",
        prompt
            + " Approvers: "
            + String.join(", ", run.header().approval().approvers())
            + ". runbook approve "
            + Workflow.getInfo().getWorkflowId()
            + " --as <you>");
    return run.approval(gate, prompt);
  }
}
