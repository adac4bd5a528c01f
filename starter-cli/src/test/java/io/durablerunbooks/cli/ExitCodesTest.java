package io.durablerunbooks.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.durablerunbooks.report.Outcome;
import org.junit.jupiter.api.Test;

class ExitCodesTest {

  @Test
  void eachOutcomeHasItsCode() {
    assertThat(ExitCodes.forOutcome(Outcome.SUCCEEDED)).isZero();
    assertThat(ExitCodes.forOutcome(Outcome.FAILED)).isEqualTo(1);
    assertThat(ExitCodes.forOutcome(Outcome.REJECTED)).isEqualTo(3);
    assertThat(ExitCodes.forOutcome(Outcome.ROLLED_BACK)).isEqualTo(3);
    assertThat(ExitCodes.forOutcome(Outcome.CANCELLED)).isEqualTo(3);
  }

  @Test
  void badInputHasACodeNoOutcomeUses() {
    for (Outcome outcome : Outcome.values()) {
      if (outcome != Outcome.RUNNING) {
        assertThat(ExitCodes.forOutcome(outcome)).as(outcome.name()).isNotEqualTo(ExitCodes.BAD_INPUT);
      }
    }
  }

  @Test
  void aRunningRunHasNoExitCode() {
    assertThatThrownBy(() -> ExitCodes.forOutcome(Outcome.RUNNING)).isInstanceOf(IllegalArgumentException.class);
  }
}
