package io.durablerunbooks.report;

import io.durablerunbooks.approval.ApprovalRecord;
import io.durablerunbooks.approval.GateState;
import java.util.List;

/** What the progress query answers: enough for {@code runbook watch} to draw the run. */
public record RunbookProgress(
    String kind,
    String name,
    String environment,
    String initiator,
    boolean dryRun,
    Outcome outcome,
    List<StepRecord> steps,
    GateState gate,
    List<ApprovalRecord> approvals) {

  public RunbookProgress {
    steps = List.copyOf(steps);
    approvals = List.copyOf(approvals);
  }
}
