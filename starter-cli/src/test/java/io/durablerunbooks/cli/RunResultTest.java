package io.durablerunbooks.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.durablerunbooks.report.Outcome;
import io.durablerunbooks.report.RunbookReport;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TerminatedFailure;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunResultTest {

  private static RunbookReport report(Outcome outcome, String reason) {
    Instant start = Instant.parse("2025-03-01T03:00:00Z");
    return new RunbookReport(
        "restore", "orders", "staging", "restore/orders", "run-1", "carol", false, outcome, reason,
        start, start.plusSeconds(90), List.of(), List.of(), Map.of());
  }

  @Test
  void aRunbookFailureCarriesItsOutcomeAndReport() {
    RunbookReport rejected = report(Outcome.REJECTED, "NO-GO by bob");
    ApplicationFailure failure =
        ApplicationFailure.newNonRetryableFailure(
            "REJECTED: NO-GO by bob", RunbookReport.failureType(Outcome.REJECTED), rejected);

    RunResult result = RunResult.fromFailure(failure);

    assertThat(result.outcome()).isEqualTo(Outcome.REJECTED);
    assertThat(result.report()).contains(rejected);
    assertThat(ExitCodes.forOutcome(result.outcome())).isEqualTo(ExitCodes.STOPPED);
  }

  @Test
  void aRolledBackRunIsStopped() {
    ApplicationFailure failure =
        ApplicationFailure.newNonRetryableFailure(
            "ROLLED_BACK: swap failed",
            RunbookReport.failureType(Outcome.ROLLED_BACK),
            report(Outcome.ROLLED_BACK, "swap failed"));

    assertThat(RunResult.fromFailure(failure).outcome()).isEqualTo(Outcome.ROLLED_BACK);
  }

  @Test
  void anyOtherApplicationFailureIsAFailureWithoutReport() {
    RunResult result = RunResult.fromFailure(ApplicationFailure.newFailure("boom", "NullPointerException"));

    assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(result.report()).isEmpty();
    assertThat(result.message()).isEqualTo("boom");
  }

  @Test
  void cancellationAndTerminationAreTold() {
    assertThat(RunResult.fromFailure(new CanceledFailure("cancelled")).outcome()).isEqualTo(Outcome.CANCELLED);
    RunResult terminated = RunResult.fromFailure(new TerminatedFailure("operator pulled the plug", null));
    assertThat(terminated.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(terminated.message()).isEqualTo("terminated: operator pulled the plug");
  }
}
