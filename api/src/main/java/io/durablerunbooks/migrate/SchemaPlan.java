package io.durablerunbooks.migrate;

import java.util.List;

/**
 * The converted schema: the tables in the order they are created, and what the conversion changed
 * that a reader should know (renamed indexes, FULLTEXT indexes not built, zero dates).
 *
 * @param sourceTime the source's UTC clock when the schema was read, before any row was copied
 *     ({@code yyyy-MM-dd HH:mm:ss.SSSSSS}): where the delta sync's watermark search starts
 */
public record SchemaPlan(
    String sourceVersion, String targetVersion, String sourceTime, List<TablePlan> tables, List<String> notes) {

  public SchemaPlan {
    tables = List.copyOf(tables);
    notes = List.copyOf(notes);
  }
}
