package io.durablerunbooks.rollout;

import java.time.Duration;
import java.util.Objects;

/**
 * A Prometheus server as the metrics source of the guards and gates, read through its HTTP API
 * with three instant queries per version. In each query {@code {upstream}} stands for the
 * version's nginx upstream name and {@code {window}} for the observation window ({@code 10s}), so
 * one query serves V1 and V2 over exactly the window observed.
 *
 * @param url the server, e.g. {@code http://prometheus:9090}; empty when the probe is the source
 * @param latency the p95 in seconds, from a histogram: {@code histogram_quantile(0.95, ...)}
 * @param requests requests answered in the window, e.g. {@code sum(increase(..._count[{window}]))}
 * @param errors failed requests in the window
 * @param timeout of each query
 */
public record PrometheusSource(String url, String latency, String requests, String errors, Duration timeout) {

  /** The probe is the source: no Prometheus. */
  public static final PrometheusSource NONE = new PrometheusSource("", "", "", "", Duration.ofSeconds(5));

  public static final String UPSTREAM = "{upstream}";
  public static final String WINDOW = "{window}";

  public PrometheusSource {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(latency, "latency");
    Objects.requireNonNull(requests, "requests");
    Objects.requireNonNull(errors, "errors");
    Objects.requireNonNull(timeout, "timeout");
  }

  public boolean configured() {
    return !url.isEmpty();
  }

  /** A query with its placeholders filled in for one version and window. */
  public static String fill(String query, String upstream, Duration window) {
    return query.replace(UPSTREAM, upstream).replace(WINDOW, window.toSeconds() + "s");
  }
}
