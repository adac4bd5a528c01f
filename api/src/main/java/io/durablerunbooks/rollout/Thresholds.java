package io.durablerunbooks.rollout;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits on what V2 shows in one observation.
 *
 * @param p95 the 95th percentile latency must not exceed it
 * @param errorRate the share of failed requests (5xx, timeouts, refused) must stay below it, 0 to 1
 * @param availability the share of V2's requests that succeeded, over the guard's sustain window
 *     (several observations together), must reach it, 0 to 1
 */
public record Thresholds(Duration p95, double errorRate, double availability) {

  public Thresholds {
    Objects.requireNonNull(p95, "p95");
    if (errorRate < 0 || errorRate > 1) {
      throw new IllegalArgumentException("errorRate must be 0 to 1, got " + errorRate);
    }
    if (availability < 0 || availability > 1) {
      throw new IllegalArgumentException("availability must be 0 to 1, got " + availability);
    }
  }
}
