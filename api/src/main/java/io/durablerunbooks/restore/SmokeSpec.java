package io.durablerunbooks.restore;

import java.util.List;

/**
 * @param minTables the restored database must hold at least this many tables
 */
public record SmokeSpec(int minTables, List<SmokeQuery> queries) {

  public SmokeSpec {
    queries = List.copyOf(queries);
  }
}
