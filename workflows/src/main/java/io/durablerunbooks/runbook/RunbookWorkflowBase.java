package io.durablerunbooks.runbook;

import io.durablerunbooks.approval.ApprovalDecision;
import io.durablerunbooks.approval.ApprovalRecord;
import io.durablerunbooks.notify.Notification;
import io.durablerunbooks.notify.NotifyActivities;
import io.durablerunbooks.report.RunbookProgress;
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
