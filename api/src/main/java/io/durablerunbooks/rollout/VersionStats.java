package io.durablerunbooks.rollout;

/**
 * What one version answered during an observation.
 *
 * @param requests answered by this version (its upstream named in the response header)
 * @param failed of those, 5xx answers and requests past the probe's timeout
 * @param p95Millis the 95th percentile of their latencies (all of them, failed ones included), 0
 *     without requests
 */
public record VersionStats(int requests, int failed, long p95Millis) {

  public static final VersionStats NONE = new VersionStats(0, 0, 0);

  public double errorRate() {
    return requests == 0 ? 0 : (double) failed / requests;
  }
}
