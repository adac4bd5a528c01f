package io.durablerunbooks.cutover;

import io.durablerunbooks.activities.Heartbeat;
import io.durablerunbooks.postgres.PostgresPools;
import io.durablerunbooks.rollout.HttpProbe;
import io.durablerunbooks.rollout.VersionStats;
import java.net.http.HttpClient;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** The post-cutover watch's samples, through the application's HTTP API and PostgreSQL's statistics views. */
public final class WatchActivitiesImpl implements WatchActivities {

  /**
   * Tables smaller than this are left out of the dead-row share: a 20-row table with 5 dead rows
   * is 25 % "bloated" and harmless, and autovacuum leaves it so by design (threshold 50 rows).
   */
  static final long MIN_ROWS_FOR_BLOAT = 1_000;
  private static final int SLOWEST = 5;

  private final PostgresPools pools;
  private final AppHttp web;
  private final HttpProbe probe;

  public WatchActivitiesImpl(PostgresPools pools, HttpClient http) {
    this.pools = Objects.requireNonNull(pools, "pools");
    this.web = new AppHttp(http);
    this.probe = new HttpProbe(http);
  }

  @Override
  public WatchSample sample(WatchSpec spec) {
    ApplicationSpec app = spec.application();
    String health = web.health(app);
    VersionStats reads;
    try (Heartbeat beat = Heartbeat.start(() -> "probing " + app.url() + app.checks().read(), () -> {})) {
      reads = probe.sample(app.url() + app.checks().read(), spec.options().probeRequests(), app.checks().timeout(), () -> true);
      beat.check();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while probing " + app.url(), e);
    }
    List<String> slow = List.of();
    Map<String, Double> dead = Map.of();
    String database = "";
    try {
      slow = pools.withConnection(spec.target(), "target", c -> slowStatements(c, spec));
      dead = pools.withConnection(spec.target(), "target", c -> deadShare(c, spec));
    } catch (RuntimeException e) {
      database = "; PostgreSQL not measured: " + e.getMessage();
    }
    boolean healthy = health.startsWith("HTTP 200") && database.isEmpty();
    return new WatchSample(healthy, health + database, reads.requests(), reads.failed(), reads.p95Millis(), slow, dead);
  }

  /** The target database's statements slower on average than the threshold, slowest first. */
  private static List<String> slowStatements(Connection c, WatchSpec spec) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT mean_exec_time, calls, regexp_replace(query, '\\s+', ' ', 'g') FROM pg_stat_statements"
            + " WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND mean_exec_time > ?"
            + " ORDER BY mean_exec_time DESC LIMIT " + SLOWEST)) {
      ps.setDouble(1, spec.options().slowQuery().toNanos() / 1e6);
      List<String> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String query = rs.getString(3);
          out.add(String.format("%.1f ms x%d: %s", rs.getDouble(1), rs.getLong(2), query.length() > 200 ? query.substring(0, 200) + "..." : query));
        }
      }
      return out;
    }
  }

  private static Map<String, Double> deadShare(Connection c, WatchSpec spec) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT relname, n_live_tup, n_dead_tup FROM pg_stat_user_tables WHERE schemaname = ? AND relname = ANY (?)"
            + " AND n_live_tup + n_dead_tup >= ? ORDER BY relname")) {
      ps.setString(1, spec.schema());
      ps.setArray(2, c.createArrayOf("text", spec.tables().toArray()));
      ps.setLong(3, MIN_ROWS_FOR_BLOAT);
      Map<String, Double> out = new LinkedHashMap<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long live = rs.getLong(2);
          long deadRows = rs.getLong(3);
          out.put(rs.getString(1), (double) deadRows / (live + deadRows));
        }
      }
      return out;
    }
  }
}
