package io.durablerunbooks.report;

public enum Outcome {
  RUNNING,
  SUCCEEDED,
  FAILED,
  /** Refused by a NO-GO, or the gate timed out: nothing changed. */
  REJECTED,
  /** Failed after the point of no return; compensation ran. */
  ROLLED_BACK,
  CANCELLED
}
