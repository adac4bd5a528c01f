package io.durablerunbooks.cutover;

import java.util.List;
import java.util.Map;

/**
 * The business figures on both sides with MySQL read-only.
 *
 * @param differing the names of the figures whose values differ (numbers compare by value)
 */
public record StatsComparison(Map<String, String> mysql, Map<String, String> postgres, List<String> differing) {

  public StatsComparison {
    mysql = Map.copyOf(mysql);
    postgres = Map.copyOf(postgres);
    differing = List.copyOf(differing);
  }
}
