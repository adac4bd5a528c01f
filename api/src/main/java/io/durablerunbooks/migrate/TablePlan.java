package io.durablerunbooks.migrate;

import java.util.List;

/**
 * One table and the DDL that recreates it in PostgreSQL.
 *
 * @param primaryKey the primary key's columns; empty for a table copied whole without one
 * @param chunkKey the column the table is split on, by ranges of its values: an integer, binary or
 *     text primary key, or the first column of a primary key of several: an integer or binary
 *     column followed by integers, dates, times and at most one text column, or a text column
 *     followed by integers, dates and times (a range then holds whole groups of rows sharing the
 *     first column's value); empty when the table is copied and checked in one piece
 * @param estimatedRows InnoDB's estimate, for planning only
 * @param createTable CREATE TABLE with the primary key and the CHECK constraints, run before the load
 * @param afterLoad indexes, unique constraints and triggers, built once the rows are in
 * @param foreignKeys built once this table and every table they reference have their rows
 * @param referencedTables the tables those foreign keys reference
 * @param identityColumn the auto_increment column; empty when there is none
 * @param nextIdentity MySQL's next auto_increment value; the identity restarts past it and past the
 *     copied maximum
 */
public record TablePlan(
    String name,
    List<ColumnPlan> columns,
    List<String> primaryKey,
    String chunkKey,
    long estimatedRows,
    long dataBytes,
    String createTable,
    List<String> afterLoad,
    List<String> foreignKeys,
    List<String> referencedTables,
    String identityColumn,
    long nextIdentity) {

  public TablePlan {
    columns = List.copyOf(columns);
    primaryKey = List.copyOf(primaryKey);
    afterLoad = List.copyOf(afterLoad);
    foreignKeys = List.copyOf(foreignKeys);
    referencedTables = List.copyOf(referencedTables);
  }

  public boolean chunked() {
    return !chunkKey.isEmpty();
  }

  /** Whether the table is split on a key of one column, so a chunk key value is one row. */
  public boolean singleKey() {
    return chunked() && primaryKey.size() == 1;
  }

  /**
   * Whether the table is split on a binary column ({@code binary(16)} UUIDs), its key or its key's
   * first: its ranges' bounds are the column's bytes in hex after an {@code x}, ordered byte by byte
   * in both engines.
   */
  public boolean binaryChunks() {
    return chunked() && chunkFamily() == ColumnFamily.BINARY;
  }

  /**
   * Whether the table is split on a text column, its key ({@code char(36)} UUIDs, {@code varchar}
   * codes) or its key's first ({@code (tenant, id)}): its ranges are of the source's collation
   * order, bounded by the column's UTF-8 bytes in hex after a {@code t}; PostgreSQL's order may
   * differ, so a range whose rows between the same bounds on the target do not hash alike is
   * compared by the rows of the column's values the source has in it.
   */
  public boolean textChunks() {
    return chunked() && chunkFamily() == ColumnFamily.TEXT;
  }

  /** Whether the table is split on an integer: its key, or the first column of its key. */
  public boolean integerChunks() {
    return chunked() && chunkFamily() == ColumnFamily.INTEGER;
  }

  /**
   * Whether both engines read a range's rows in the same order: split on an integer or binary key,
   * or on an integer or binary column followed by integers, dates or times. Not a text key, nor a
   * key holding a text column, which each engine orders by its own collation.
   */
  public boolean orderedAlike() {
    return chunked() && columns.stream().noneMatch(c -> primaryKey.contains(c.name()) && c.family() == ColumnFamily.TEXT);
  }

  /** Whether the table is split on a key of one integer column: its keys can be summed and counted. */
  public boolean integerKey() {
    return singleKey() && integerChunks();
  }

  private ColumnFamily chunkFamily() {
    return columns.stream().filter(c -> c.name().equals(chunkKey)).map(ColumnPlan::family).findFirst().orElseThrow();
  }
}
