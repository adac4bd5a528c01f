package io.durablerunbooks.restore;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Row counts of every user table and the configured queries, in one READ ONLY transaction with a
 * statement timeout, so a check can neither change the restored database nor hang the step.
 */
final class SmokeChecks {

  static final int STATEMENT_TIMEOUT_SECONDS = 300;
  static final String NO_ROWS = "(no rows)";
  static final String NULL = "(null)";
  /** Schema and name of every table outside the system schemas; partitions count in their parent. */
  static final String USER_TABLES =
      "select n.nspname, c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace"
          + " where c.relkind in ('r', 'p') and not c.relispartition"
          + " and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg_toast%'";

  private final Connection connection;
  private final Runnable progress;

  /** @param progress called after each table and query (for heartbeats) */
  SmokeChecks(Connection connection, Runnable progress) {
    this.connection = connection;
    this.progress = progress;
  }

  record Checked(List<TableCount> tables, List<QueryResult> queries) {}

  /** Counts the rows of every table and runs {@code queries}; changes nothing. */
  Checked run(List<SmokeQuery> queries) throws SQLException {
    connection.setAutoCommit(false);
    try {
      try (Statement s = connection.createStatement()) {
        s.execute("set transaction read only");
        s.execute("set local statement_timeout = '" + STATEMENT_TIMEOUT_SECONDS + "s'");
      }
      return new Checked(tableCounts(), queries(queries));
    } finally {
      connection.rollback();
    }
  }

  /** Exact {@code count(*)} of every user table. */
  private List<TableCount> tableCounts() throws SQLException {
    List<String[]> tables = new ArrayList<>();
    try (Statement s = connection.createStatement();
        ResultSet rows = s.executeQuery(USER_TABLES + " order by 1, 2")) {
      while (rows.next()) {
        tables.add(new String[] {rows.getString(1), rows.getString(2)});
      }
    }
    List<TableCount> counts = new ArrayList<>();
    for (String[] table : tables) {
      String name = DatabaseAdmin.quote(table[0]) + "." + DatabaseAdmin.quote(table[1]);
      try (Statement s = connection.createStatement();
          ResultSet row = s.executeQuery("select count(*) from " + name)) {
        row.next();
        counts.add(new TableCount(table[0] + "." + table[1], row.getLong(1)));
      }
      progress.run();
    }
    return counts;
  }

  /**
   * Runs each query under its own savepoint, so one that fails is recorded as failed and the
   * others still run.
   */
  private List<QueryResult> queries(List<SmokeQuery> queries) throws SQLException {
    List<QueryResult> results = new ArrayList<>();
    for (SmokeQuery query : queries) {
      Savepoint savepoint = connection.setSavepoint();
      String actual;
      try {
        actual = firstValue(query.sql());
        connection.releaseSavepoint(savepoint);
      } catch (SQLException e) {
        connection.rollback(savepoint);
        actual = "error: " + firstLine(e.getMessage()) + (e.getSQLState() == null ? "" : " (SQLSTATE " + e.getSQLState() + ")");
      }
      boolean passed =
          query.expect().isEmpty()
              ? !actual.equals(NO_ROWS) && !actual.startsWith("error: ")
              : Objects.equals(actual, query.expect());
      results.add(new QueryResult(query.name(), passed, actual, query.expect()));
      progress.run();
    }
    return results;
  }

  private String firstValue(String sql) throws SQLException {
    try (Statement s = connection.createStatement()) {
      if (!s.execute(sql)) {
        return NO_ROWS;
      }
      try (ResultSet rows = s.getResultSet()) {
        if (!rows.next()) {
          return NO_ROWS;
        }
        String value = rows.getString(1);
        return value == null ? NULL : value;
      }
    }
  }

  private static String firstLine(String message) {
    String text = message == null ? "" : message;
    String line = text.lines().findFirst().orElse(text);
    return line.startsWith("ERROR: ") ? line.substring("ERROR: ".length()) : line;
  }
}
