package io.durablerunbooks.rollout;

import java.util.Objects;

/**
 * A new split made live.
 *
 * @param weight V2's share in percent now configured
 * @param reloadedAt when nginx's reload command returned (ISO-8601 instant, the worker's clock)
 */
public record SplitChange(int weight, String reloadedAt) {

  public SplitChange {
    Objects.requireNonNull(reloadedAt, "reloadedAt");
  }
}
