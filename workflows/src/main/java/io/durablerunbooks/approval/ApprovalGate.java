package io.durablerunbooks.approval;

import io.durablerunbooks.runbook.ApprovalPolicy;
import io.temporal.workflow.Workflow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The GO / NO-GO gate of a run. Decisions arrive by signal (operators, the Temporal UI) or by Update
 * (the CLI); both go through {@link ApprovalRules}. Every decision is recorded, refused ones too,
 * so the history and the report show who tried what, and when.
 */
public final class ApprovalGate {

  private final ApprovalPolicy policy;
  private final String initiator;
  private final List<ApprovalRecord> records = new ArrayList<>();
  private GateState state = GateState.closed();
  private ApprovalRecord decision;

  public ApprovalGate(ApprovalPolicy policy, String initiator) {
    this.policy = policy;
    this.initiator = initiator;
  }

  /**
   * Opens the gate and waits for a valid decision or the policy's timeout, which counts as NO-GO.
   *
   * @return the accepted decision (or the timeout, recorded as a NO-GO by nobody)
   */
  public ApprovalRecord await(String gate, String prompt) {
    decision = null;
    Instant deadline = now().plus(policy.timeout());
    state = new GateState(gate, true, prompt, policy.approvers(), deadline);
    boolean decided = Workflow.await(policy.timeout(), () -> decision != null);
    state = GateState.closed();
    if (!decided) {
      decision =
          new ApprovalRecord(
              gate,
              "",
              Verdict.NO_GO,
              "no decision within " + policy.timeout() + ": a timeout is a NO-GO",
              now(),
              "timeout",
              true,
              "");
      records.add(decision);
    }
    return decision;
  }

  /** Update validator: throws to refuse before anything is written to history. */
  public void validate(ApprovalDecision d) {
    String refusal = ApprovalRules.refusal(policy, initiator, state.open(), d);
    if (!refusal.isEmpty()) {
      throw new IllegalArgumentException(refusal);
    }
  }

  /** Update handler: the state may have moved since validation (a signal came first). */
  public ApprovalRecord onUpdate(ApprovalDecision d) {
    validate(d);
    return accept(d, "update");
  }

  /** Signal handler: a refused signal is recorded and changes nothing. */
  public void onSignal(ApprovalDecision d) {
    String refusal = ApprovalRules.refusal(policy, initiator, state.open(), d);
    if (!refusal.isEmpty()) {
      records.add(
          new ApprovalRecord(
              state.gate(),
              d == null || d.approver() == null ? "" : d.approver(),
              d == null || d.verdict() == null ? Verdict.NO_GO : d.verdict(),
              d == null || d.comment() == null ? "" : d.comment(),
              now(),
              "signal",
              false,
              refusal));
      return;
    }
    accept(d, "signal");
  }

  private ApprovalRecord accept(ApprovalDecision d, String channel) {
    ApprovalRecord accepted =
        new ApprovalRecord(
            state.gate(),
            d.approver().trim(),
            d.verdict(),
            d.comment() == null ? "" : d.comment(),
            now(),
            channel,
            true,
            "");
    records.add(accepted);
    decision = accepted;
    state = GateState.closed();
    return accepted;
  }

  public GateState state() {
    return state;
  }

  public List<ApprovalRecord> records() {
    return List.copyOf(records);
  }

  private static Instant now() {
    return Instant.ofEpochMilli(Workflow.currentTimeMillis());
  }
}
