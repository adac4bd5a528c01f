package io.durablerunbooks.restore;

import java.util.List;

public record SmokeResult(List<TableCount> tables, List<QueryResult> queries, long durationMillis) {

  public SmokeResult {
    tables = List.copyOf(tables);
    queries = List.copyOf(queries);
  }

  public long totalRows() {
    return tables.stream().mapToLong(TableCount::rows).sum();
  }
}
