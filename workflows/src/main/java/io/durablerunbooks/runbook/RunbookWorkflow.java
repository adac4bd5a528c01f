package io.durablerunbooks.runbook;

import io.durablerunbooks.approval.ApprovalDecision;
import io.durablerunbooks.approval.ApprovalRecord;
import io.durablerunbooks.report.RunbookProgress;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;

/** What every runbook workflow answers: its progress, and GO / NO-GO at its approval gate. */
public interface RunbookWorkflow {

  @QueryMethod(name = Runbooks.PROGRESS_QUERY)
  RunbookProgress progress();

  /**
   * GO / NO-GO as operators send it with {@code temporal workflow signal} or the UI. A signal
   * cannot be refused to the sender, so an invalid one is recorded as refused and ignored.
   */
  @SignalMethod(name = Runbooks.APPROVAL_SIGNAL)
  void approval(ApprovalDecision decision);

  /** GO / NO-GO from the CLI: refused at once, and never written to history, when invalid. */
  @UpdateMethod(name = Runbooks.APPROVAL_UPDATE)
  ApprovalRecord decide(ApprovalDecision decision);

  @UpdateValidatorMethod(updateName = Runbooks.APPROVAL_UPDATE)
  void validateDecide(ApprovalDecision decision);
}
