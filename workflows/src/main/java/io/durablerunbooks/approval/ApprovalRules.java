package io.durablerunbooks.approval;

import io.durablerunbooks.runbook.ApprovalPolicy;

/**
 * Who may decide at a gate, in one place: the Update validator and the signal handler both ask it.
 * The CLI asserts who the user is; in production the Temporal server's authorization (mTLS or JWT
 * claims) decides who may send the Update or signal at all, and this is the second lock.
 */
final class ApprovalRules {

  private ApprovalRules() {}

  /** Why the decision must be refused, or an empty string when it may be accepted. */
  static String refusal(
      ApprovalPolicy policy, String initiator, boolean gateOpen, ApprovalDecision decision) {
    if (decision == null || decision.approver() == null || decision.approver().isBlank()) {
      return "approver: required (who is deciding)";
    }
    if (decision.verdict() == null) {
      return "verdict: required, GO or NO_GO";
    }
    if (!gateOpen) {
      return "no approval is awaited now: the gate is not open";
    }
    String approver = decision.approver().trim();
    if (!policy.approvers().contains(approver)) {
      return approver
          + " is not an approver of this runbook (approvers: "
          + String.join(", ", policy.approvers())
          + ")";
    }
    if (decision.verdict() == Verdict.GO
        && approver.equals(initiator)
        && !policy.allowSelfApproval()) {
      return approver
          + " started this run and may not approve it (approval.allowSelfApproval is false)";
    }
    return "";
  }
}
