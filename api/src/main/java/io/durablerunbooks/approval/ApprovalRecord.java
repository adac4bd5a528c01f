package io.durablerunbooks.approval;

import java.time.Instant;

/**
 * One decision as the workflow recorded it, accepted or refused.
 *
 * @param channel {@code update} (CLI) or {@code signal} (Temporal CLI / UI)
 * @param refusal why it was refused; empty when accepted
 */
public record ApprovalRecord(
    String gate,
    String approver,
    Verdict verdict,
    String comment,
    Instant at,
    String channel,
    boolean accepted,
    String refusal) {}
