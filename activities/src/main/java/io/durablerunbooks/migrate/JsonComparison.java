package io.durablerunbooks.migrate;

import java.io.IOException;
import io.durablerunbooks.postgres.Transactions;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The JSON part of a range's checksum, computed in PostgreSQL for both sides: the source's JSON text
 * is streamed by COPY into a temporary {@code jsonb} table (dropped at commit), so both sides are
 * hashed from the same normal form, {@code jsonb}'s (keys sorted, whitespace gone, escapes resolved).
 * Neither engine can render the other's normal form cheaply: MariaDB's JSON_NORMALIZE differs from
 * it, and a PL/pgSQL or JVM normaliser cost more than the copy.
 */
final class JsonComparison {

  private static final String STAGING = "dr_json_source";

  /** One side's rows and the XOR (or, without a key, the sum) of 64 bits of each row's digest. */
  record Part(long rows, BigInteger digest) {}

  record Parts(Part source, Part target) {}

  private final Connection source;
  private final Connection target;
  private final TablePlan staged;
  private final String mysqlColumns;
  private final String mysqlTable;
  private final String pgRow;
  private final String pgKey;
  private final String pgTable;
  private final String stagingRow;
  private final boolean keyed;

  JsonComparison(Connection source, Connection target, String schema, TablePlan t, List<ColumnPlan> json) {
    this.source = source;
    this.target = target;
    this.keyed = !t.primaryKey().isEmpty();
    List<ColumnPlan> columns = new ArrayList<>();
    columns.add(new ColumnPlan("k", "", ColumnFamily.TEXT, "text", false, "", false, false, 0, false));
    for (int i = 0; i < json.size(); i++) {
      ColumnPlan c = json.get(i);
      columns.add(new ColumnPlan("j" + i, c.sourceType(), ColumnFamily.JSON, "jsonb", true, "", false, false, 0, c.recodeToUtf8()));
    }
    this.staged = new TablePlan(STAGING, columns, List.of("k"), "", 0, 0, "", List.of(), List.of(), List.of(), "", 1);
    this.mysqlColumns =
        (keyed ? ValueSql.mysqlKey(t) : "''")
            + json.stream().map(c -> ", " + ValueSql.copyExpression(c)).collect(Collectors.joining());
    this.mysqlTable = ValueSql.mq(t.name());
    this.pgTable = ValueSql.pq(schema) + "." + ValueSql.pq(t.name());
    this.pgKey = keyed ? ValueSql.pgKey(t) : "''";
    this.pgRow = digest(pgKey, json.stream().map(c -> ValueSql.pq(c.name())).toList());
    this.stagingRow = digest("k", java.util.stream.IntStream.range(0, json.size()).mapToObj(i -> "j" + i).toList());
  }

  /** md5 of the key and each value's jsonb text (N for NULL), separated by a byte jsonb text never holds. */
  private static String digest(String key, List<String> columns) {
    return "md5(" + key + columns.stream().map(c -> " || chr(1) || coalesce(" + c + "::text, 'N')").collect(Collectors.joining()) + ")";
  }

  private String aggregate(String row) {
    return keyed
        ? "coalesce(bit_xor(('x' || substr(" + row + ", 1, 16))::bit(64)::bigint), 0)"
        : "coalesce(sum(('x' || substr(" + row + ", 1, 15))::bit(60)::bigint), 0)";
  }

  Parts aggregate(String mysqlWhere, String pgWhere) throws SQLException {
    return staged(mysqlWhere, () -> new Parts(
        part("SELECT count(*), " + aggregate(stagingRow) + " FROM " + STAGING),
        part("SELECT count(*), " + aggregate(pgRow) + " FROM " + pgTable + pgWhere)));
  }

  /** Per key, each side's row digest: source first, then target. */
  List<Map<String, String>> digests(String mysqlWhere, String pgWhere) throws SQLException {
    return staged(mysqlWhere, () -> List.of(
        rows("SELECT k, " + stagingRow + " FROM " + STAGING),
        rows("SELECT " + pgKey + ", " + pgRow + " FROM " + pgTable + pgWhere)));
  }

  @FunctionalInterface
  private interface Work<T> {
    T run() throws SQLException;
  }

  /** Runs {@code work} while the range's source JSON sits in the staging table, in one transaction. */
  private <T> T staged(String mysqlWhere, Work<T> work) throws SQLException {
    return Transactions.run(target, c -> {
      try (Statement s = c.createStatement()) {
        s.execute("CREATE TEMP TABLE " + STAGING + " (k text, "
            + staged.columns().stream().skip(1).map(col -> col.name() + " jsonb").collect(Collectors.joining(", "))
            + ") ON COMMIT DROP");
      }
      try {
        new ChunkCopier()
            .copyRows(source, "SELECT " + mysqlColumns + " FROM " + mysqlTable + mysqlWhere, List.of(), c,
                ChunkCopier.copyStatement(STAGING, staged), staged);
      } catch (IOException e) {
        throw new SQLException("copy of the source's JSON of " + mysqlTable + " failed: " + e.getMessage(), e);
      }
      return work.run();
    });
  }

  private Part part(String sql) throws SQLException {
    try (Statement s = target.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      BigInteger v = new BigInteger(rs.getString(2));
      return new Part(rs.getLong(1), v.signum() < 0 ? v.add(BigInteger.ONE.shiftLeft(64)) : v);
    }
  }

  private Map<String, String> rows(String sql) throws SQLException {
    Map<String, String> rows = new HashMap<>();
    try (Statement s = target.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        rows.put(rs.getString(1), rs.getString(2));
      }
    }
    return rows;
  }
}
