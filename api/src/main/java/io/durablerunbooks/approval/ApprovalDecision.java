package io.durablerunbooks.approval;

/**
 * What an approver sends, by signal or by Update. The signal's JSON form, for
 * {@code temporal workflow signal --name approval}: {@code {"approver":"alice","verdict":"GO","comment":"checked"}}.
 */
public record ApprovalDecision(String approver, Verdict verdict, String comment) {}
