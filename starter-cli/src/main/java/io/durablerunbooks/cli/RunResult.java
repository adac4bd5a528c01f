package io.durablerunbooks.cli;

import io.durablerunbooks.report.Outcome;
import io.durablerunbooks.report.RunbookReport;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import io.temporal.common.converter.DataConverterException;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TerminatedFailure;
import io.temporal.failure.TimeoutFailure;
import java.util.Optional;

/**
 * How a closed run ended. A runbook workflow returns its report on success and fails with the
 * report as the failure's details otherwise; a cancelled, terminated or timed-out run has none.
 *
 * @param message why it did not succeed; empty on success
 */
record RunResult(Outcome outcome, Optional<RunbookReport> report, String message) {

  /** The result of a run that has closed; returns at once. */
  static RunResult of(WorkflowStub closedRun) {
    try {
      return new RunResult(Outcome.SUCCEEDED, Optional.of(closedRun.getResult(RunbookReport.class)), "");
    } catch (WorkflowFailedException e) {
      return fromFailure(e.getCause());
    }
  }

  static RunResult fromFailure(Throwable cause) {
    if (cause instanceof ApplicationFailure failure) {
      for (Outcome outcome : Outcome.values()) {
        if (RunbookReport.failureType(outcome).equals(failure.getType())) {
          return new RunResult(outcome, report(failure), failure.getOriginalMessage());
        }
      }
      return new RunResult(Outcome.FAILED, Optional.empty(), failure.getOriginalMessage());
    }
    if (cause instanceof CanceledFailure) {
      return new RunResult(Outcome.CANCELLED, Optional.empty(), "cancelled");
    }
    if (cause instanceof TerminatedFailure terminated) {
      return new RunResult(Outcome.FAILED, Optional.empty(), "terminated: " + terminated.getOriginalMessage());
    }
    if (cause instanceof TimeoutFailure timeout) {
      return new RunResult(
          Outcome.FAILED, Optional.empty(), "the workflow timed out (" + timeout.getTimeoutType() + ")");
    }
    return new RunResult(Outcome.FAILED, Optional.empty(), ErrorMessages.failureMessage(cause));
  }

  private static Optional<RunbookReport> report(ApplicationFailure failure) {
    if (failure.getDetails().getSize() == 0) {
      return Optional.empty();
    }
    try {
      return Optional.ofNullable(failure.getDetails().get(RunbookReport.class));
    } catch (DataConverterException e) {
      return Optional.empty();
    }
  }
}
