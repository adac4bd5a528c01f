package io.durablerunbooks.rollout;

/** Who answered a burst of requests through nginx: the live split, measured. */
public record SplitSample(int v1, int v2, int unattributed) {

  /** V2's share of the answered requests, in percent. */
  public double v2Percent() {
    return v1 + v2 == 0 ? 0 : 100.0 * v2 / (v1 + v2);
  }
}
