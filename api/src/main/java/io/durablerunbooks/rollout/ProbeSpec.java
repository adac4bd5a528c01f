package io.durablerunbooks.rollout;

import java.time.Duration;
import java.util.Objects;

/**
 * The project's own metrics source: real requests sent through nginx, each attributed to V1 or V2
 * by a response header nginx adds (e.g. {@code add_header X-Rollout-Backend $rollout_backend}).
 *
 * @param url what is requested, through nginx
 * @param header the response header naming the upstream that answered
 * @param ratePerSecond requests sent per second during an observation
 * @param window how long one observation lasts
 * @param timeout a request slower than this counts as failed
 */
public record ProbeSpec(String url, String header, int ratePerSecond, Duration window, Duration timeout) {

  public ProbeSpec {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(header, "header");
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(timeout, "timeout");
    if (ratePerSecond < 1) {
      throw new IllegalArgumentException("ratePerSecond must be 1 or more, got " + ratePerSecond);
    }
    if (window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("window must be longer than zero, got " + window);
    }
  }
}
