package io.durablerunbooks.cli;

import io.durablerunbooks.report.Outcome;

/**
 * What {@code runbook} exits with, so scripts and schedulers can tell a failed run from a refused
 * one. The same table is in {@code runbook --help}.
 */
public final class ExitCodes {

  /** The run succeeded, or the command did what it was asked. */
  public static final int SUCCEEDED = 0;

  /** The run failed, or Temporal could not be reached. */
  public static final int FAILED = 1;

  /** Bad input: an invalid runbook file or option, an unknown workflow id, a refused approval, pause or resume. */
  public static final int BAD_INPUT = 2;

  /** The run was stopped on purpose: rejected (NO-GO or approval timeout), rolled back, cancelled. */
  public static final int STOPPED = 3;

  private ExitCodes() {}

  /** The exit code of a run that ended with this outcome. */
  public static int forOutcome(Outcome outcome) {
    return switch (outcome) {
      case SUCCEEDED -> SUCCEEDED;
      case REJECTED, ROLLED_BACK, CANCELLED -> STOPPED;
      case FAILED -> FAILED;
      case RUNNING -> throw new IllegalArgumentException("a run that is still RUNNING has no exit code");
    };
  }
}
