package io.durablerunbooks.runbook;

import java.time.Duration;
import java.util.List;

/**
 * Who may send GO and how long the gate stays open. An empty approver list with {@code required}
 * false means the runbook runs unattended (a nightly backup); a runbook that must stop for a human
 * has {@code required} true and at least one approver.
 */
public record ApprovalPolicy(
    boolean required, List<String> approvers, boolean allowSelfApproval, Duration timeout) {

  public static final Duration DEFAULT_TIMEOUT = Duration.ofHours(1);

  public ApprovalPolicy {
    approvers = List.copyOf(approvers);
  }

  public static ApprovalPolicy unattended() {
    return new ApprovalPolicy(false, List.of(), false, DEFAULT_TIMEOUT);
  }

  public ApprovalPolicy requiringApproval() {
    return new ApprovalPolicy(true, approvers, allowSelfApproval, timeout);
  }
}
