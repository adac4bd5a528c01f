package io.durablerunbooks.report;

public enum StepStatus {
  RUNNING,
  SUCCEEDED,
  FAILED,
  /** Dry run: what the step would do, nothing done. */
  PLANNED,
  SKIPPED,
  /** A compensation that ran to undo an earlier step. */
  COMPENSATED
}
