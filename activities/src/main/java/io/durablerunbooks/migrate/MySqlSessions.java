package io.durablerunbooks.migrate;

import io.durablerunbooks.secrets.SecretResolver;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import java.util.Properties;

/**
 * Connections to the MySQL/MariaDB source, each set up the same way: UTC, so TIMESTAMP columns read
 * as the instants they store; utf8mb4, so text arrives as the UTF-8 PostgreSQL takes; short lock
 * waits, so a busy source makes us back off rather than queue behind its transactions. One
 * connection per step: a streamed result set holds its connection for the whole copy, so a pool
 * would add nothing.
 */
public final class MySqlSessions {

  /** Seconds a statement of ours waits for a lock before giving up (and retrying later). */
  static final int LOCK_WAIT_SECONDS = 5;
  /**
   * GROUP_CONCAT's limit, above the verifier's ranges' text ({@link TableVerifier}); one cut
   * short would make its range differ and be compared row by row, not pass.
   */
  static final long GROUP_CONCAT_BYTES = 1L << 30;

  /** A unit of work on one connection; SQL errors are classified by {@link #withConnection}. */
  @FunctionalInterface
  public interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
  }

  private final SecretResolver secrets;

  public MySqlSessions(SecretResolver secrets) {
    this.secrets = Objects.requireNonNull(secrets, "secrets");
  }

  public <T> T withConnection(MySqlConnection db, String field, SqlWork<T> work) {
    try (Connection connection = open(db, field)) {
      return work.run(connection);
    } catch (SQLException e) {
      throw MySqlErrors.classify(e, db, field);
    } catch (SourceException e) {
      throw MySqlErrors.classify(e.sql(), db, field);
    }
  }

  /**
   * Makes information_schema.TABLES answer from the tables as they are now: MySQL 8 serves its
   * AUTO_INCREMENT from a cache for up to a day (information_schema_stats_expiry); MariaDB has no
   * such cache, nor the variable.
   */
  public static void uncachedTableStatistics(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SHOW SESSION VARIABLES LIKE 'information_schema_stats_expiry'")) {
      if (!rs.next()) {
        return;
      }
    }
    try (Statement s = c.createStatement()) {
      s.execute("SET SESSION information_schema_stats_expiry = 0");
    }
  }

  private Connection open(MySqlConnection db, String field) throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", db.user());
    props.setProperty("password", secrets.resolve(db.password(), field + ".password"));
    props.setProperty("connectTimeout", "5000");
    String params = db.parameters();
    String url =
        "jdbc:mariadb://" + db.host() + ":" + db.port() + "/" + db.database() + (params.isEmpty() ? "" : "?" + params);
    Connection c = DriverManager.getConnection(url, props);
    try (Statement s = c.createStatement()) {
      s.execute(
          "SET time_zone = '+00:00', NAMES utf8mb4, SESSION innodb_lock_wait_timeout = " + LOCK_WAIT_SECONDS
              + ", SESSION lock_wait_timeout = " + LOCK_WAIT_SECONDS + ", SESSION net_write_timeout = 600"
              + ", SESSION group_concat_max_len = " + GROUP_CONCAT_BYTES);
    } catch (SQLException e) {
      c.close();
      throw e;
    }
    return c;
  }
}
