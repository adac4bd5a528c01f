package io.durablerunbooks.cutover;

import java.util.List;
import java.util.Map;

/**
 * One look at the application and PostgreSQL.
 *
 * @param health what the health check answered
 * @param requests the probe's requests to the read path; {@code failed} of them 5xx or unanswered
 * @param slowStatements statements whose mean time is above the watch's threshold, slowest first,
 *     as {@code <mean ms> ms x<calls>: <query>}
 * @param deadShare per table, dead rows as a share of all its rows (pg_stat_user_tables)
 */
public record WatchSample(
    boolean healthy,
    String health,
    int requests,
    int failed,
    long p95Millis,
    List<String> slowStatements,
    Map<String, Double> deadShare) {

  public WatchSample {
    slowStatements = List.copyOf(slowStatements);
    deadShare = Map.copyOf(deadShare);
  }

  public double errorRate() {
    return requests == 0 ? 1 : (double) failed / requests;
  }
}
