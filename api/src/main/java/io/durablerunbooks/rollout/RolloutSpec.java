package io.durablerunbooks.rollout;

import io.durablerunbooks.definition.RunbookDefinition;
import io.durablerunbooks.runbook.RunbookHeader;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A validated {@code kind: rollout} file: traffic moved from V1 to V2 in steps of weight, each
 * baked while the guards watch, promoted when its gate passes.
 *
 * @param weights V2's share in percent at each step, rising, the last 100
 * @param bake how long each step runs before its promotion gate is checked
 * @param promoteEachStep a GO is needed before each step after the first
 * @param probe sends requests through nginx: confirms each split, and is the metrics source unless
 *     {@code prometheus} is configured
 * @param prometheus the metrics source of the guards and gates, or {@link PrometheusSource#NONE}
 * @param promote the promotion gate, checked on the observations of each step's bake
 * @param splitTolerance how far the measured share of V2 may be from the weight, in percentage
 *     points, when the split is confirmed by sampling
 * @param splitSamples requests sent to confirm the split
 */
public record RolloutSpec(
    RunbookHeader header,
    NginxTarget nginx,
    List<Integer> weights,
    Duration bake,
    boolean promoteEachStep,
    ProbeSpec probe,
    PrometheusSource prometheus,
    Thresholds promote,
    GuardPolicy guard,
    int splitTolerance,
    int splitSamples)
    implements RunbookDefinition {

  public RolloutSpec {
    Objects.requireNonNull(header, "header");
    Objects.requireNonNull(nginx, "nginx");
    weights = List.copyOf(weights);
    Objects.requireNonNull(bake, "bake");
    Objects.requireNonNull(probe, "probe");
    Objects.requireNonNull(prometheus, "prometheus");
    Objects.requireNonNull(promote, "promote");
    Objects.requireNonNull(guard, "guard");
    if (weights.isEmpty() || weights.get(weights.size() - 1) != 100) {
      throw new IllegalArgumentException("weights must end at 100, got " + weights);
    }
    for (int i = 0; i < weights.size(); i++) {
      int w = weights.get(i);
      if (w < 1 || w > 100 || (i > 0 && w <= weights.get(i - 1))) {
        throw new IllegalArgumentException("weights must rise from 1 to 100, got " + weights);
      }
    }
    if (splitTolerance < 1 || splitTolerance > 50) {
      throw new IllegalArgumentException("splitTolerance must be 1 to 50 percentage points, got " + splitTolerance);
    }
    if (splitSamples < 10) {
      throw new IllegalArgumentException("splitSamples must be 10 or more, got " + splitSamples);
    }
  }
}
