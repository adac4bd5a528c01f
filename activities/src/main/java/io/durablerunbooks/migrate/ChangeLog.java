package io.durablerunbooks.migrate;

import io.durablerunbooks.cutover.ChangeInventory;
import io.durablerunbooks.cutover.CopyBackResult;
import io.durablerunbooks.postgres.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The record of what PostgreSQL took after a cutover's switch: statement-level triggers on every
 * copied table write the key of each row inserted, updated or deleted into one table of the schema
 * {@code durable_runbooks}, so a rollback copies back exactly those rows (as PostgreSQL has them
 * then, or deletes them) instead of comparing whole tables, and a refusal can name them. The
 * trigger functions run as their owner (the cutover's account), so the application's account
 * needs no grant on that schema; the delta sync's own writes ({@code durable_runbooks.sync} on)
 * are not recorded.
 */
public final class ChangeLog {

  private static final String SCHEMA = "durable_runbooks";
  private static final String ARMED = SCHEMA + ".change_log";
  private static final String ROWS = SCHEMA + ".changed_rows";
  private static final int BATCH = 1_000;
  private static final String[][] EVENTS = {{"INSERT", "ins", "NEW TABLE AS n"}, {"UPDATE", "upd", "OLD TABLE AS o NEW TABLE AS n"},
      {"DELETE", "del", "OLD TABLE AS o"}};

  private ChangeLog() {}

  /** Who armed the change log and when ({@code <armedBy> at <time>}), or empty when it is not armed. */
  public static Optional<String> armedBy(Connection pg) throws SQLException {
    try (Statement s = pg.createStatement();
        ResultSet rs = s.executeQuery("SELECT to_regclass('" + ARMED + "') IS NOT NULL")) {
      rs.next();
      if (!rs.getBoolean(1)) {
        return Optional.empty();
      }
    }
    try (Statement s = pg.createStatement();
        ResultSet rs = s.executeQuery("SELECT armed_by, to_char(armed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') FROM " + ARMED)) {
      return rs.next() ? Optional.of(rs.getString(1) + " at " + rs.getString(2) + " UTC") : Optional.empty();
    }
  }

  /**
   * Creates the log and the triggers of every table, in one transaction; arming again for the same
   * {@code armedBy} replaces the triggers and keeps what was logged.
   *
   * @throws IllegalStateException when another run armed it
   */
  public static void arm(Connection pg, String schema, List<TablePlan> tables, String armedBy) throws SQLException {
    Transactions.run(pg, c -> {
      try (Statement s = c.createStatement()) {
        s.execute("CREATE SCHEMA IF NOT EXISTS " + SCHEMA);
        s.execute("CREATE TABLE IF NOT EXISTS " + ARMED + " (id int PRIMARY KEY CHECK (id = 1), armed_by text NOT NULL,"
            + " armed_at timestamptz NOT NULL DEFAULT now(), target_schema text NOT NULL)");
        s.execute("CREATE TABLE IF NOT EXISTS " + ROWS + " (tbl text NOT NULL, key jsonb NOT NULL, op char(1) NOT NULL,"
            + " first_at timestamptz NOT NULL DEFAULT now(), last_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (tbl, key))");
      }
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO " + ARMED + " (id, armed_by, target_schema) VALUES (1, ?, ?) ON CONFLICT (id) DO NOTHING")) {
        ps.setString(1, armedBy);
        ps.setString(2, schema);
        ps.executeUpdate();
      }
      String holder = armedBy(c).orElseThrow();
      if (!holder.startsWith(armedBy + " at ")) {
        throw new IllegalStateException("the change log of " + c.getCatalog() + " was armed by " + holder
            + "; disarm it (kind: rollback-cutover, or the retention's decommission) before another cutover");
      }
      try (Statement s = c.createStatement()) {
        for (TablePlan t : tables) {
          for (String[] event : EVENTS) {
            s.execute(function(t, event));
            s.execute("DROP TRIGGER IF EXISTS " + trigger(event) + " ON " + table(schema, t));
            s.execute("CREATE TRIGGER " + trigger(event) + " AFTER " + event[0] + " ON " + table(schema, t) + " REFERENCING "
                + event[2] + " FOR EACH STATEMENT EXECUTE FUNCTION " + functionName(t, event) + "()");
          }
        }
      }
      return null;
    });
  }

  /** Drops the triggers, their functions and the log; PostgreSQL is left as before the arming. */
  public static void disarm(Connection pg, String schema, List<TablePlan> tables) throws SQLException {
    Transactions.run(pg, c -> {
      try (Statement s = c.createStatement()) {
        for (TablePlan t : tables) {
          for (String[] event : EVENTS) {
            if (exists(c, schema, t)) {
              s.execute("DROP TRIGGER IF EXISTS " + trigger(event) + " ON " + table(schema, t));
            }
            s.execute("DROP FUNCTION IF EXISTS " + functionName(t, event) + "()");
          }
        }
        s.execute("DROP TABLE IF EXISTS " + ROWS);
        s.execute("DROP TABLE IF EXISTS " + ARMED);
      }
      return null;
    });
    try (Statement s = pg.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE n.nspname = '" + SCHEMA + "'")) {
      rs.next();
      if (rs.getLong(1) == 0) {
        s.execute("DROP SCHEMA IF EXISTS " + SCHEMA);
      }
    }
  }

  /** The rows logged per table, and the first {@code listed} of them. */
  public static ChangeInventory inventory(Connection pg, List<TablePlan> tables, int listed) throws SQLException {
    Optional<String> armed = armedBy(pg);
    if (armed.isEmpty()) {
      return new ChangeInventory(false, "", Map.of(), List.of());
    }
    Map<String, Long> rows = new LinkedHashMap<>();
    List<String> first = new ArrayList<>();
    for (TablePlan t : tables) {
      try (PreparedStatement ps = pg.prepareStatement("SELECT count(*) FROM " + ROWS + " WHERE tbl = ?")) {
        ps.setString(1, t.name());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          if (rs.getLong(1) > 0) {
            rows.put(t.name(), rs.getLong(1));
          }
        }
      }
    }
    try (PreparedStatement ps = pg.prepareStatement(
        "SELECT tbl, key::text, op FROM " + ROWS + " ORDER BY first_at, tbl, key LIMIT ?")) {
      ps.setInt(1, listed);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String op = switch (rs.getString(3)) {
            case "I" -> "insert";
            case "D" -> "delete";
            default -> "update";
          };
          first.add(rs.getString(1) + " " + rs.getString(2) + " (" + op + ")");
        }
      }
    }
    return new ChangeInventory(true, armed.get(), rows, first);
  }

  /**
   * Makes MySQL hold what PostgreSQL holds for every logged row: upserted as PostgreSQL has it, or
   * deleted when PostgreSQL no longer has it, in batches of one transaction each with foreign key
   * checks off (the rows come from one consistent state). Running it again writes the same rows.
   */
  public static CopyBackResult copyBack(Connection pg, Connection mysql, String schema, List<TablePlan> tables)
      throws SQLException {
    long started = System.nanoTime();
    Map<String, Long> upserted = new LinkedHashMap<>();
    Map<String, Long> deleted = new LinkedHashMap<>();
    try (Statement s = mysql.createStatement()) {
      s.execute("SET SESSION foreign_key_checks = 0");
    }
    for (TablePlan t : tables) {
      if (t.primaryKey().isEmpty()) {
        continue;
      }
      long[] counts = new long[2];
      String after = "";
      while (true) {
        List<String> keys = keys(pg, t, after);
        if (keys.isEmpty()) {
          break;
        }
        after = keys.get(keys.size() - 1);
        copyBackBatch(pg, mysql, schema, t, keys, counts);
      }
      if (counts[0] > 0) {
        upserted.put(t.name(), counts[0]);
      }
      if (counts[1] > 0) {
        deleted.put(t.name(), counts[1]);
      }
    }
    return new CopyBackResult(upserted, deleted, (System.nanoTime() - started) / 1_000_000);
  }

  /**
   * The logged values of the column a table is split on (its key, or its key's first column), in
   * order, the first {@code limit} after {@code after}; rows since deleted included.
   */
  public static List<Long> loggedKeys(Connection pg, TablePlan t, long after, int limit) throws SQLException {
    if (!t.integerChunks()) {
      throw new IllegalArgumentException(t.name() + " is not split on an integer column");
    }
    try (PreparedStatement ps = pg.prepareStatement("SELECT k FROM (SELECT (key ->> ?)::bigint AS k FROM " + ROWS
        + " WHERE tbl = ?) AS logged WHERE k > ? ORDER BY k LIMIT ?")) {
      ps.setString(1, t.chunkKey());
      ps.setString(2, t.name());
      ps.setLong(3, after);
      ps.setInt(4, limit);
      List<Long> keys = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          keys.add(rs.getLong(1));
        }
      }
      return keys;
    }
  }

  private static List<String> keys(Connection pg, TablePlan t, String after) throws SQLException {
    try (PreparedStatement ps = pg.prepareStatement(
        "SELECT key::text FROM " + ROWS + " WHERE tbl = ? AND key::text > ? ORDER BY key::text LIMIT " + BATCH)) {
      ps.setString(1, t.name());
      ps.setString(2, after);
      List<String> keys = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          keys.add(rs.getString(1));
        }
      }
      return keys;
    }
  }

  private static void copyBackBatch(Connection pg, Connection mysql, String schema, TablePlan t, List<String> keys, long[] counts)
      throws SQLException {
    List<ColumnPlan> keyColumns = t.primaryKey().stream()
        .map(k -> t.columns().stream().filter(c -> c.name().equals(k)).findFirst().orElseThrow())
        .toList();
    // A column the source computes refuses a value (error 1906 in strict mode): it computes it again.
    List<ColumnPlan> written = t.columns().stream().filter(c -> !c.generatedBySource()).toList();
    String select = "SELECT t." + ValueSql.pq(keyColumns.get(0).name()) + " IS NOT NULL"
        + keyColumns.stream().map(c -> ", " + ReverseSql.text(c, "k")).collect(Collectors.joining())
        + written.stream().map(c -> ", " + ReverseSql.text(c, "t")).collect(Collectors.joining())
        + " FROM unnest(?::jsonb[]) AS r(key) CROSS JOIN LATERAL jsonb_populate_record(NULL::" + table(schema, t) + ", r.key) AS k"
        + " LEFT JOIN " + table(schema, t) + " AS t ON "
        + keyColumns.stream().map(c -> "t." + ValueSql.pq(c.name()) + " = k." + ValueSql.pq(c.name())).collect(Collectors.joining(" AND "));
    String columns = written.stream().map(c -> ValueSql.mq(c.name())).collect(Collectors.joining(", "));
    String values = written.stream().map(ReverseSql::parameter).collect(Collectors.joining(", "));
    List<ColumnPlan> others = written.stream().filter(c -> !t.primaryKey().contains(c.name())).toList();
    String upsert = "INSERT INTO " + ValueSql.mq(t.name()) + " (" + columns + ") VALUES (" + values + ")"
        + (others.isEmpty()
            ? " ON DUPLICATE KEY UPDATE " + ValueSql.mq(keyColumns.get(0).name()) + " = " + ValueSql.mq(keyColumns.get(0).name())
            : " ON DUPLICATE KEY UPDATE "
                + others.stream().map(c -> ValueSql.mq(c.name()) + " = VALUES(" + ValueSql.mq(c.name()) + ")").collect(Collectors.joining(", ")));
    String delete = "DELETE FROM " + ValueSql.mq(t.name()) + " WHERE "
        + keyColumns.stream().map(c -> ValueSql.mq(c.name()) + " = " + ReverseSql.parameter(c)).collect(Collectors.joining(" AND "));
    boolean autoCommit = mysql.getAutoCommit();
    mysql.setAutoCommit(false);
    try (PreparedStatement read = pg.prepareStatement(select);
        PreparedStatement up = mysql.prepareStatement(upsert);
        PreparedStatement del = mysql.prepareStatement(delete)) {
      read.setArray(1, pg.createArrayOf("jsonb", keys.toArray()));
      int width = keyColumns.size();
      try (ResultSet rs = read.executeQuery()) {
        while (rs.next()) {
          if (rs.getBoolean(1)) {
            for (int i = 0; i < written.size(); i++) {
              up.setString(i + 1, rs.getString(2 + width + i));
            }
            up.addBatch();
            counts[0]++;
          } else {
            for (int i = 0; i < width; i++) {
              del.setString(i + 1, rs.getString(2 + i));
            }
            del.addBatch();
            counts[1]++;
          }
        }
      }
      up.executeBatch();
      del.executeBatch();
      mysql.commit();
    } catch (SQLException | RuntimeException e) {
      mysql.rollback();
      throw e;
    } finally {
      mysql.setAutoCommit(autoCommit);
    }
  }

  private static boolean exists(Connection c, String schema, TablePlan t) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT to_regclass(" + SchemaConverter.pgLiteral(table(schema, t)) + ") IS NOT NULL")) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  private static String function(TablePlan t, String[] event) {
    String key = "jsonb_build_object("
        + t.primaryKey().stream().map(k -> SchemaConverter.pgLiteral(k) + ", x." + ValueSql.pq(k)).collect(Collectors.joining(", "))
        + ")";
    String tbl = SchemaConverter.pgLiteral(t.name());
    String op = "'" + event[0].charAt(0) + "'";
    String rows = switch (event[1]) {
      case "ins" -> "SELECT " + tbl + ", " + key + ", " + op + " FROM n x";
      case "del" -> "SELECT " + tbl + ", " + key + ", " + op + " FROM o x";
      default -> "SELECT " + tbl + ", " + key + ", " + op + " FROM n x UNION SELECT " + tbl + ", " + key + ", " + op + " FROM o x";
    };
    String body = t.primaryKey().isEmpty()
        ? "RETURN NULL;"
        : "IF coalesce(current_setting('durable_runbooks.sync', true), '') = 'on' THEN RETURN NULL; END IF;"
            + " INSERT INTO " + ROWS + " (tbl, key, op) " + rows
            + " ON CONFLICT (tbl, key) DO UPDATE SET op = EXCLUDED.op, last_at = now(); RETURN NULL;";
    return "CREATE OR REPLACE FUNCTION " + functionName(t, event) + "() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER"
        + " SET search_path = pg_catalog, pg_temp AS $fn$ BEGIN " + body + " END $fn$";
  }

  /** {@code durable_runbooks.log_<table>_<ins|upd|del>}, the table's name hashed when that is too long. */
  private static String functionName(TablePlan t, String[] event) {
    String name = "log_" + t.name() + "_" + event[1];
    if (name.length() > 63) {
      name = "log_" + t.name().substring(0, 40) + "_" + Integer.toHexString(t.name().hashCode()) + "_" + event[1];
    }
    return SCHEMA + "." + ValueSql.pq(name);
  }

  private static String trigger(String[] event) {
    return "durable_runbooks_log_" + event[1];
  }

  private static String table(String schema, TablePlan t) {
    return ValueSql.pq(schema) + "." + ValueSql.pq(t.name());
  }
}
