package io.durablerunbooks.migrate;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import io.durablerunbooks.postgres.Transactions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Repairs of the delta sync, each in one PostgreSQL transaction: rows upserted from the source
 * (streamed by COPY into a temporary table, then {@code INSERT ... ON CONFLICT DO UPDATE}), rows the
 * source no longer has deleted by key. The session setting {@code durable_runbooks.sync} keeps the
 * ON UPDATE triggers from stamping their own time over the source's value. Replaying a repair
 * writes the same rows again: it is idempotent.
 */
final class RowRepairer {

  private static final int KEYS_PER_STATEMENT = 1_000;
  private static final String STAGING = "dr_sync_rows";
  private static final String TARGET_ALIAS = "durable_runbooks_target";
  private static final Pattern INTEGER = Pattern.compile("-?\\d{1,20}");
  static final Pattern SINCE = Pattern.compile("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}(\\.\\d{1,6})?");

  private final Connection source;
  private final Connection target;
  private final String table;
  private final TablePlan t;

  RowRepairer(Connection source, Connection target, String schema, TablePlan t) {
    this.source = source;
    this.target = target;
    this.table = ValueSql.pq(schema) + "." + ValueSql.pq(t.name());
    this.t = t;
  }

  /** Upserts the rows whose watermark column is at or after {@code since} minus {@code marginSeconds}. */
  long upsertChangedSince(String watermark, String since, long marginSeconds) throws SQLException, IOException {
    if (!SINCE.matcher(since).matches()) {
      throw new IllegalArgumentException("since must be a UTC time like 2026-11-30 10:00:00.000000, got " + since);
    }
    String where =
        " WHERE " + ValueSql.mq(watermark) + " >= TIMESTAMP '" + since + "' - INTERVAL " + marginSeconds + " SECOND";
    return upsert(ChunkCopier.select(t, where), List.of());
  }

  /** Upserts the source's rows of these keys (the canonical key text of {@link ValueSql#mysqlKey}). */
  long upsertKeys(List<String> keys) throws SQLException, IOException {
    long rows = 0;
    for (List<String> batch : batches(keys)) {
      if (t.singleKey() && t.textChunks()) {
        rows += upsert(ChunkCopier.select(t, " WHERE " + ValueSql.keyIn(t, batch.size(), true)), batch);
      } else if (t.singleKey()) {
        rows += upsert(ChunkCopier.select(t, " WHERE " + ValueSql.mq(t.chunkKey()) + " IN (" + values(batch, true) + ")"), List.of());
      } else {
        String marks = String.join(", ", Collections.nCopies(batch.size(), "?"));
        List<String> params = new ArrayList<>(leadingTexts(batch));
        params.addAll(batch);
        rows += upsert(ChunkCopier.select(t, " WHERE " + leading(batch, true) + ValueSql.mysqlKey(t) + " IN (" + marks + ")"), params);
      }
    }
    return rows;
  }

  /** Deletes the target's rows of these keys. */
  long deleteKeys(List<String> keys) throws SQLException {
    long rows = 0;
    for (List<String> batch : batches(keys)) {
      // Text keys and keys of several columns go as one array parameter (after one of the leading
      // text values, for a key led by text); integer and binary keys are inlined, checked.
      boolean keyArray = t.textChunks() || !t.singleKey();
      List<String> leadingTexts = leadingTexts(batch);
      String condition = t.singleKey() && t.textChunks()
          ? ValueSql.keyIn(t, batch.size(), false)
          : t.singleKey()
              ? ValueSql.pq(t.chunkKey()) + " IN (" + values(batch, false) + ")"
              : leading(batch, false) + ValueSql.pgKey(t) + " = ANY (?)";
      rows += Transactions.run(target, c -> {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE " + condition)) {
          int next = 1;
          if (!leadingTexts.isEmpty()) {
            ps.setArray(next++, target.createArrayOf("text", leadingTexts.toArray()));
          }
          if (keyArray) {
            ps.setArray(next, target.createArrayOf("text", batch.toArray()));
          }
          return (long) ps.executeUpdate();
        }
      });
    }
    return rows;
  }

  /** A table without a key: its rows replaced by the source's, all at once. */
  long replaceAll() throws SQLException, IOException {
    ChunkCopier copier = new ChunkCopier();
    Transactions.run(target, c -> {
      try {
        copier.copyInto(source, c, t, KeyRange.ALL, table);
      } catch (IOException e) {
        throw new SQLException("copy of " + t.name() + " failed: " + e.getMessage(), e);
      }
      return null;
    });
    return copier.rows.get();
  }

  private long upsert(String select, List<String> params) throws SQLException, IOException {
    return Transactions.run(target, c -> {
      try (Statement s = c.createStatement()) {
        s.execute("SET LOCAL durable_runbooks.sync = 'on'");
      }
      try {
        return upsertRows(new ChunkCopier(), source, c, t, table, select, params);
      } catch (IOException e) {
        throw new SQLException("copy of changed rows of " + t.name() + " failed: " + e.getMessage(), e);
      }
    });
  }

  /**
   * Upserts the rows a MySQL query selects ({@link ChunkCopier#select}) into the table of this
   * quoted, qualified name, in the caller's transaction on {@code target}: streamed by COPY into a
   * temporary table, then inserted, a row of a key already there replacing it where it differs.
   */
  static long upsertRows(
      ChunkCopier copier, Connection source, Connection target, TablePlan t, String table, String select, List<String> params)
      throws SQLException, IOException {
    List<String> columns = t.columns().stream().map(c -> ValueSql.pq(c.name())).toList();
    List<String> updates =
        t.columns().stream()
            .filter(c -> !t.primaryKey().contains(c.name()))
            .map(c -> ValueSql.pq(c.name()) + " = EXCLUDED." + ValueSql.pq(c.name()))
            .toList();
    List<String> values = t.columns().stream().filter(c -> !t.primaryKey().contains(c.name())).map(c -> ValueSql.pq(c.name())).toList();
    // A row the source has unchanged is not rewritten: no dead tuple, and the count is of real changes.
    String conflict =
        "ON CONFLICT (" + ValueSql.keyList(t, false) + ") "
            + (updates.isEmpty() ? "DO NOTHING" : "DO UPDATE SET " + String.join(", ", updates)
                + " WHERE ROW(" + values.stream().map(v -> TARGET_ALIAS + "." + v).collect(Collectors.joining(", "))
                + ") IS DISTINCT FROM ROW(" + values.stream().map(v -> "EXCLUDED." + v).collect(Collectors.joining(", ")) + ")");
    try (Statement s = target.createStatement()) {
      s.execute("CREATE TEMP TABLE " + STAGING + " (LIKE " + table + ") ON COMMIT DROP");
      copier.copyRows(source, select, params, target, ChunkCopier.copyStatement(STAGING, t), t);
      return s.executeUpdate("INSERT INTO " + table + " AS " + TARGET_ALIAS + " (" + String.join(", ", columns) + ") SELECT "
          + String.join(", ", columns) + " FROM " + STAGING + " " + conflict);
    }
  }

  private static List<List<String>> batches(List<String> keys) {
    int n = (keys.size() + KEYS_PER_STATEMENT - 1) / KEYS_PER_STATEMENT;
    return java.util.stream.IntStream.range(0, n)
        .mapToObj(i -> keys.subList(i * KEYS_PER_STATEMENT, Math.min(keys.size(), (i + 1) * KEYS_PER_STATEMENT)))
        .toList();
  }

  /**
   * For a table split on the first of several key columns, the condition on that column's values
   * in these keys which lets either engine find the rows by its primary key's index instead of
   * computing every row's key text; else none. An integer's or bytes' values are inlined (the text
   * before the key's first comma, bytes in hex); a text's are parameters ({@link #leadingTexts}),
   * first in the statement.
   */
  private String leading(List<String> keys, boolean mysql) {
    if (t.singleKey()) {
      return "";
    }
    if (t.textChunks()) {
      return mysql
          ? ValueSql.mq(t.chunkKey()) + " IN (" + String.join(", ", Collections.nCopies(leadingTexts(keys).size(), "?")) + ") AND "
          : ValueSql.pq(t.chunkKey()) + " = ANY (?) AND ";
    }
    List<String> firsts = keys.stream().map(k -> k.indexOf(',') < 0 ? k : k.substring(0, k.indexOf(','))).distinct().toList();
    String values = t.binaryChunks()
        ? firsts.stream().map(k -> ValueSql.binaryLiteral(k, mysql)).collect(Collectors.joining(", "))
        : integers(firsts);
    return (mysql ? ValueSql.mq(t.chunkKey()) : ValueSql.pq(t.chunkKey())) + " IN (" + values + ") AND ";
  }

  /**
   * For a key led by a text column, that column's values in these keys: each key's text before its
   * last commas, one per further key column (integers, dates and times, which hold no comma, so
   * the text may); else none.
   */
  private List<String> leadingTexts(List<String> keys) {
    if (t.singleKey() || !t.textChunks()) {
      return List.of();
    }
    int others = t.primaryKey().size() - 1;
    return keys.stream().map(k -> {
      int end = k.length();
      for (int i = 0; i < others; i++) {
        end = k.lastIndexOf(',', end - 1);
      }
      return k.substring(0, end);
    }).distinct().toList();
  }

  /**
   * Keys of one column inlined into SQL as the engine's literals: integers, or a binary key's hex
   * (as {@link ValueSql#mysqlKey} lists it); checked, so the text cannot be anything else.
   */
  private String values(List<String> keys, boolean mysql) {
    if (!t.binaryChunks()) {
      return integers(keys);
    }
    return keys.stream().map(k -> ValueSql.binaryLiteral(k, mysql)).collect(Collectors.joining(", "));
  }

  /** Integer keys inlined into SQL: checked, so the text cannot be anything else. */
  private static String integers(List<String> keys) {
    for (String k : keys) {
      if (!INTEGER.matcher(k).matches()) {
        throw new IllegalArgumentException("an integer key was expected, got " + k);
      }
    }
    return String.join(", ", keys);
  }
}
