package io.durablerunbooks.cutover;

import java.util.Map;

/** Row counts per table and business figures by name, as one database gave them. */
public record SideFigures(Map<String, Long> rows, Map<String, String> statistics) {

  public SideFigures {
    rows = Map.copyOf(rows);
    statistics = Map.copyOf(statistics);
  }
}
