package io.durablerunbooks.rollout;

import java.util.Objects;

/**
 * One observation window of the probe: real requests through nginx, attributed per version.
 *
 * @param startedAt when the first request was sent (ISO-8601 instant, the worker's clock)
 * @param endedAt when the last answer came back, or its timeout passed
 * @param unattributed requests no version answered (nginx unreachable, a broken connection)
 * @param problem why the source gave no data (Prometheus unreachable, an empty result), or empty
 */
public record Observation(String startedAt, String endedAt, VersionStats v1, VersionStats v2, int unattributed, String problem) {

  public Observation {
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(endedAt, "endedAt");
    Objects.requireNonNull(v1, "v1");
    Objects.requireNonNull(v2, "v2");
    Objects.requireNonNull(problem, "problem");
  }
}
