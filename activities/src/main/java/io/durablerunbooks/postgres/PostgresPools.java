package io.durablerunbooks.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool.PoolInitializationException;
import io.durablerunbooks.activities.Sha256;
import io.durablerunbooks.secrets.SecretRef;
import io.durablerunbooks.secrets.SecretResolver;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One small HikariCP pool per database, user and password reference. Steps hold a connection for a
 * few statements, so pools stay tiny and hold no idle session for long; the password is resolved
 * each time a connection is borrowed, and a changed secret replaces the pool.
 */
public final class PostgresPools implements AutoCloseable {

  private static final int DEFAULT_MAX_CONNECTIONS = 3;
  private static final long CONNECTION_TIMEOUT_MILLIS = 5_000;
  private static final long IDLE_TIMEOUT_MILLIS = 60_000;
  private static final long MAX_LIFETIME_MILLIS = 600_000;

  /** A unit of work on one connection; SQL errors are classified by {@link #withConnection}. */
  @FunctionalInterface
  public interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
  }

  private record Key(String url, String user, SecretRef password) {}

  private record Pool(HikariDataSource dataSource, byte[] passwordDigest) {}

  private final SecretResolver secrets;
  private final Map<Key, Pool> pools = new HashMap<>();
  /** Pools replaced after a password changed; a step may still hold a connection, so they close last. */
  private final List<HikariDataSource> retired = new ArrayList<>();
  private boolean closed;

  private final int maxConnections;

  public PostgresPools(SecretResolver secrets) {
    this(secrets, DEFAULT_MAX_CONNECTIONS);
  }

  /** @param maxConnections per database: the steps of one run that may hold a connection at once */
  public PostgresPools(SecretResolver secrets, int maxConnections) {
    this.secrets = Objects.requireNonNull(secrets, "secrets");
    this.maxConnections = maxConnections;
  }

  /**
   * Runs {@code work} on a pooled connection to {@code db}.
   *
   * @param field the runbook field holding the connection, named in error messages
   */
  public <T> T withConnection(PostgresConnection db, String field, SqlWork<T> work) {
    try (Connection connection = dataSource(db, field).getConnection()) {
      return work.run(connection);
    } catch (SQLException e) {
      throw PostgresErrors.classify(e, db, field);
    }
  }

  /** The resolved password, for client tools that take it through PGPASSWORD. */
  public String password(PostgresConnection db, String field) {
    return secrets.resolve(db.password(), field + ".password");
  }

  /**
   * Closes every pool connected to {@code db}, so no idle session of ours stays in a database that
   * is about to be renamed or dropped.
   */
  public synchronized void release(PostgresConnection db) {
    List<Key> keys = new ArrayList<>();
    for (Key key : pools.keySet()) {
      if (key.url().equals(db.url())) {
        keys.add(key);
      }
    }
    keys.forEach(key -> pools.remove(key).dataSource().close());
  }

  @Override
  public synchronized void close() {
    closed = true;
    pools.values().forEach(pool -> pool.dataSource().close());
    pools.clear();
    retired.forEach(HikariDataSource::close);
    retired.clear();
  }

  private synchronized HikariDataSource dataSource(PostgresConnection db, String field)
      throws SQLException {
    if (closed) {
      throw new IllegalStateException("PostgresPools is closed: the worker is shutting down");
    }
    String password = password(db, field);
    byte[] digest = sha256(password);
    Key key = new Key(db.url(), db.user(), db.password());
    Pool pool = pools.get(key);
    if (pool != null && MessageDigest.isEqual(pool.passwordDigest(), digest)) {
      return pool.dataSource();
    }
    if (pool != null) {
      retired.add(pools.remove(key).dataSource());
    }
    HikariDataSource dataSource = open(db, password, maxConnections);
    pools.put(key, new Pool(dataSource, digest));
    return dataSource;
  }

  private static HikariDataSource open(PostgresConnection db, String password, int maxConnections)
      throws SQLException {
    HikariConfig config = new HikariConfig();
    config.setPoolName("runbooks " + db.user() + "@" + db.host() + ":" + db.port() + "/" + db.database());
    config.setJdbcUrl(db.url());
    config.setUsername(db.user());
    config.setPassword(password);
    config.setMaximumPoolSize(maxConnections);
    config.setMinimumIdle(0);
    config.setConnectionTimeout(CONNECTION_TIMEOUT_MILLIS);
    config.setIdleTimeout(IDLE_TIMEOUT_MILLIS);
    config.setMaxLifetime(MAX_LIFETIME_MILLIS);
    // One connection attempt when the pool is built, so a wrong password or a closed port fails
    // the step at once with the server's reason instead of after the pool's wait.
    config.setInitializationFailTimeout(1);
    config.addDataSourceProperty("ApplicationName", "durable-runbooks");
    config.addDataSourceProperty("connectTimeout", String.valueOf(CONNECTION_TIMEOUT_MILLIS / 1000));
    config.addDataSourceProperty("tcpKeepAlive", "true");
    try {
      return new HikariDataSource(config);
    } catch (PoolInitializationException e) {
      if (e.getCause() instanceof SQLException sql) {
        throw sql;
      }
      throw new SQLException(String.valueOf(e.getMessage()), e);
    }
  }

  private static byte[] sha256(String text) {
    return Sha256.newDigest().digest(text.getBytes(StandardCharsets.UTF_8));
  }
}
