package io.durablerunbooks.report;

import java.time.Duration;
import java.time.Instant;

/** @param finishedAt {@link Instant#EPOCH} while the step runs */
public record StepRecord(
    String name, StepStatus status, Instant startedAt, Instant finishedAt, String detail) {

  public Duration duration() {
    return finishedAt.equals(Instant.EPOCH) ? Duration.ZERO : Duration.between(startedAt, finishedAt);
  }
}
