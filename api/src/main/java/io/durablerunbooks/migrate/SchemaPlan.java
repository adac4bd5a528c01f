package io.durablerunbooks.migrate;

import java.util.List;

/**
 * The converted schema: the tables in the order they are created, and what the conversion changed
 * that a reader should know (renamed indexes, FULLTEXT indexes not built, zero dates).
 */
public record SchemaPlan(String sourceVersion, String targetVersion, List<TablePlan> tables, List<String> notes) {

  public SchemaPlan {
    tables = List.copyOf(tables);
    notes = List.copyOf(notes);
  }
}
