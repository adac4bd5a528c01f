package io.durablerunbooks.rollout;

import java.time.Duration;
import java.util.Objects;

/**
 * When the rollout rolls back by itself, watched during every step.
 *
 * @param limits a p95 over its limit or an availability under its limit must be sustained; an
 *     error rate over its limit rolls back at once
 * @param sustain how long consecutive observations must breach p95 or availability
 * @param missingData what an observation without data for V2 (the metrics source down, no V2
 *     answers) does: it never passes
 */
public record GuardPolicy(Thresholds limits, Duration sustain, MissingData missingData) {

  /** What an observation without data does. */
  public enum MissingData {
    /** Counts as a breach: sustained, it rolls back. */
    ROLLBACK,
    /** Holds the rollout at its weight until data returns or the bake's patience runs out. */
    PAUSE
  }

  public GuardPolicy {
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(sustain, "sustain");
    Objects.requireNonNull(missingData, "missingData");
  }
}
