package io.durablerunbooks.smoke;

import java.time.Duration;
import java.util.Objects;

/**
 * The six checks of the original handover package, run against one instance of the application.
 * A path left empty skips its check (and the report says so); the health check cannot be skipped.
 *
 * @param health answers 200 when the application is up, e.g. {@code /health}
 * @param frontPage the page users land on, e.g. {@code /}
 * @param database answers 200 only when the application reaches its database, e.g. {@code /api/db}
 * @param staticAsset a file served as is, e.g. {@code /static/app.css}
 * @param databaseRead an API call that reads from the database, e.g. {@code /api/items}
 * @param latency the API call whose latency is measured, e.g. {@code /api/version}
 * @param latencyLimit the slowest of the measured calls must be faster (3 s by default)
 * @param latencySamples how many calls are measured
 * @param expectText text the front page must contain (a version, a title), or empty
 * @param timeout for each request; a request that takes longer fails its check
 */
public record AppSmokeSpec(
    String health,
    String frontPage,
    String database,
    String staticAsset,
    String databaseRead,
    String latency,
    Duration latencyLimit,
    int latencySamples,
    String expectText,
    Duration timeout) {

  public static final Duration DEFAULT_LATENCY_LIMIT = Duration.ofSeconds(3);

  public AppSmokeSpec {
    Objects.requireNonNull(health, "health");
    Objects.requireNonNull(frontPage, "frontPage");
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(staticAsset, "staticAsset");
    Objects.requireNonNull(databaseRead, "databaseRead");
    Objects.requireNonNull(latency, "latency");
    Objects.requireNonNull(latencyLimit, "latencyLimit");
    Objects.requireNonNull(expectText, "expectText");
    Objects.requireNonNull(timeout, "timeout");
    if (health.isEmpty()) {
      throw new IllegalArgumentException("the health check has no path; it cannot be skipped");
    }
    if (latencySamples < 1) {
      throw new IllegalArgumentException("latencySamples must be 1 or more, got " + latencySamples);
    }
  }

  /**
   * The same checks with no text expected on the front page: for an instance put back on an
   * earlier release, whose page shows its own version, not the one this run deploys.
   */
  public AppSmokeSpec anyVersion() {
    return new AppSmokeSpec(
        health, frontPage, database, staticAsset, databaseRead, latency, latencyLimit, latencySamples, "", timeout);
  }
}
