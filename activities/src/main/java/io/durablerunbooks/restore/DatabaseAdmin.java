package io.durablerunbooks.restore;

import io.durablerunbooks.activities.FailureTypes;
import io.temporal.failure.ApplicationFailure;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.Set;

/**
 * Database-level statements on a connection to the server's maintenance database. Databases a
 * restore creates carry a comment ({@code durable-runbooks scratch <name> for <target>: ...}) so
 * that nothing here ever drops or replaces a database it did not make.
 */
final class DatabaseAdmin {

  static final String MAINTENANCE_DATABASE = "postgres";
  private static final String MARKER = "durable-runbooks scratch ";
  private static final String RESTORED = ": restored ";
  /** PostgreSQL silently truncates longer names, which could make two names one. */
  private static final int MAX_NAME_BYTES = 63;
  private static final Set<String> RESERVED = Set.of(MAINTENANCE_DATABASE, "template0", "template1");

  private DatabaseAdmin() {}

  /** Rejects a database name this product must not create, rename or drop. */
  static void requireUsableName(String field, String name) {
    if (name.isEmpty() || name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
      throw ApplicationFailure.newNonRetryableFailure(
          field + ": '" + name + "' is not a usable database name; it needs 1 to " + MAX_NAME_BYTES + " bytes",
          FailureTypes.INVALID_INPUT);
    }
    if (RESERVED.contains(name) || name.indexOf('\0') >= 0) {
      throw ApplicationFailure.newNonRetryableFailure(
          field + ": '" + name + "' is reserved by PostgreSQL; choose another name", FailureTypes.INVALID_INPUT);
    }
  }

  static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  static boolean exists(Connection c, String database) throws SQLException {
    return comment(c, database).isPresent();
  }

  /**
   * The database's comment: empty when the database does not exist, an empty string when it exists
   * without a comment.
   */
  static Optional<String> comment(Connection c, String database) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "select coalesce(shobj_description(oid, 'pg_database'), '') from pg_database where datname = ?")) {
      s.setString(1, database);
      try (ResultSet row = s.executeQuery()) {
        return row.next() ? Optional.of(row.getString(1)) : Optional.empty();
      }
    }
  }

  static boolean isScratch(Connection c, String database) throws SQLException {
    return comment(c, database).map(text -> text.startsWith(MARKER + database + " ")).orElse(false);
  }

  /** Whether {@code database} is a finished restore that was made as {@code scratch}. */
  static boolean isRestoredFrom(Connection c, String database, String scratch) throws SQLException {
    return comment(c, database)
        .map(text -> text.startsWith(MARKER + scratch + " ") && text.contains(RESTORED))
        .orElse(false);
  }

  static void createScratch(Connection c, String scratch, String target, String source) throws SQLException {
    execute(c, "create database " + quote(scratch) + " template template0");
    mark(c, scratch, target, ": restoring " + source);
  }

  static void markRestored(Connection c, String scratch, String target, String source) throws SQLException {
    mark(c, scratch, target, RESTORED + source);
  }

  /** Drops the database, ending its sessions (PostgreSQL 13 and later). */
  static void drop(Connection c, String database) throws SQLException {
    execute(c, "drop database if exists " + quote(database) + " with (force)");
  }

  /**
   * Ends every other session on the given databases and waits for each to go; returns how many were
   * clients'. An autovacuum worker on a freshly restored database blocks the rename as a client
   * does, but is no one's connection to report as cut.
   */
  static int terminateSessions(Connection c, String... databases) throws SQLException {
    // The subquery ends every session: its volatile column is computed for each row, whatever the
    // count keeps.
    try (PreparedStatement s =
        c.prepareStatement(
            "select count(*) filter (where ended and client) from (select pg_terminate_backend(pid, 5000) as ended,"
                + " backend_type = 'client backend' as client from pg_stat_activity"
                + " where datname = any(?) and pid <> pg_backend_pid()) x")) {
      s.setArray(1, c.createArrayOf("text", databases));
      try (ResultSet row = s.executeQuery()) {
        row.next();
        return row.getInt(1);
      }
    }
  }

  static int activeSessions(Connection c, String database) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("select count(*) from pg_stat_activity where datname = ? and pid <> pg_backend_pid()")) {
      s.setString(1, database);
      try (ResultSet row = s.executeQuery()) {
        row.next();
        return row.getInt(1);
      }
    }
  }

  static void rename(Connection c, String from, String to) throws SQLException {
    execute(c, "alter database " + quote(from) + " rename to " + quote(to));
  }

  private static void mark(Connection c, String scratch, String target, String state) throws SQLException {
    execute(c, "comment on database " + quote(scratch) + " is " + literal(MARKER + scratch + " for " + target + state));
  }

  private static String literal(String text) {
    return "'" + text.replace("'", "''") + "'";
  }

  static void execute(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
