package io.durablerunbooks.report;

import io.durablerunbooks.approval.ApprovalRecord;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The final report of a run: the workflow's result when it succeeds, and the details of its
 * failure when it does not, so both are in the history.
 *
 * @param facts what the run established, in the order it learnt it (object key, sizes, sha256,
 *     row counts...)
 * @param reason why it did not succeed; empty on success
 */
public record RunbookReport(
    String kind,
    String name,
    String environment,
    String workflowId,
    String runId,
    String initiator,
    boolean dryRun,
    Outcome outcome,
    String reason,
    Instant startedAt,
    Instant finishedAt,
    List<StepRecord> steps,
    List<ApprovalRecord> approvals,
    Map<String, String> facts) {

  public RunbookReport {
    steps = List.copyOf(steps);
    approvals = List.copyOf(approvals);
    facts = new LinkedHashMap<>(facts);
  }

  /** The failure type a workflow throws with this report as its details. */
  public static String failureType(Outcome outcome) {
    return "Runbook" + outcome.name();
  }
}
