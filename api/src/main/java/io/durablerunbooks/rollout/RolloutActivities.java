package io.durablerunbooks.rollout;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.time.Duration;

/** The steps of a traffic shift; each name shows in the Temporal UI. */
@ActivityInterface
public interface RolloutActivities {

  /**
   * Connects to the nginx host (checking its key), runs the test command on the live
   * configuration, and reads V2's weight from the split file; -1 when the file is missing or not
   * one this runbook wrote.
   */
  @ActivityMethod(name = "CheckNginx")
  int checkNginx(NginxTarget nginx);

  /**
   * Writes the split file for V2's weight (the previous file kept beside it), runs the test
   * command, and reloads. A failed test puts the previous file back and fails, not retried: the
   * live configuration was never touched.
   */
  @ActivityMethod(name = "SetTrafficWeight")
  SplitChange setWeight(NginxTarget nginx, int weight, String writtenBy);

  /** Sends a burst of requests through nginx and counts which version answered. */
  @ActivityMethod(name = "ConfirmSplit")
  SplitSample sampleSplit(ProbeSpec probe, String v1Upstream, String v2Upstream, int samples);

  /** One observation window of the probe, heartbeating; it never fails for what it observes. */
  @ActivityMethod(name = "Observe")
  Observation observe(ProbeSpec probe, String v1Upstream, String v2Upstream);

  /**
   * The last {@code window} of both versions as Prometheus recorded it: three instant queries per
   * version. A server that cannot be reached, or a query without a result, gives an observation
   * without data (its {@code problem} says why), never a failure and never a passing one.
   */
  @ActivityMethod(name = "QueryMetrics")
  Observation queryMetrics(PrometheusSource source, String v1Upstream, String v2Upstream, Duration window);
}
