package io.durablerunbooks.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * Reads an observation from Prometheus's HTTP API ({@code /api/v1/query}, instant queries at one
 * evaluation time). Whatever is missing, an empty result, NaN or an unreachable server, makes no
 * data, said in the observation's problem; it is never read as zero latency or zero errors.
 */
final class PrometheusQueries {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http;

  PrometheusQueries(HttpClient http) {
    this.http = http;
  }

  Observation observe(PrometheusSource source, String v1, String v2, Duration window) throws InterruptedException {
    Instant at = Instant.now();
    List<String> problems = new ArrayList<>();
    VersionStats first = version(source, v1, window, at, problems);
    VersionStats second = version(source, v2, window, at, problems);
    return new Observation(at.minus(window).toString(), at.toString(), first, second, 0, String.join("; ", problems));
  }

  private VersionStats version(PrometheusSource source, String upstream, Duration window, Instant at, List<String> problems)
      throws InterruptedException {
    try {
      OptionalDouble requests = query(source, PrometheusSource.fill(source.requests(), upstream, window), at);
      if (requests.isEmpty() || requests.getAsDouble() < 0.5) {
        problems.add(upstream + ": no requests in the last " + window.toSeconds() + " s");
        return VersionStats.NONE;
      }
      OptionalDouble p95 = query(source, PrometheusSource.fill(source.latency(), upstream, window), at);
      if (p95.isEmpty()) {
        problems.add(upstream + ": the latency query gave no value");
        return VersionStats.NONE;
      }
      // No series of failed requests at all is the usual way of having none.
      double errors = query(source, PrometheusSource.fill(source.errors(), upstream, window), at).orElse(0);
      long answered = Math.round(requests.getAsDouble());
      return new VersionStats((int) answered, (int) Math.min(answered, Math.round(errors)), Math.round(p95.getAsDouble() * 1000));
    } catch (IOException e) {
      problems.add(upstream + ": Prometheus at " + source.url() + " did not answer (" + e.getMessage() + ")");
      return VersionStats.NONE;
    }
  }

  /** The single value of an instant query; empty for an empty result or NaN. */
  private OptionalDouble query(PrometheusSource source, String promql, Instant at) throws IOException, InterruptedException {
    URI uri =
        URI.create(source.url().replaceAll("/+$", "") + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)
            + "&time=" + at.getEpochSecond() + "." + String.format("%03d", at.getNano() / 1_000_000));
    HttpResponse<String> response =
        http.send(HttpRequest.newBuilder(uri).timeout(source.timeout()).GET().build(), HttpResponse.BodyHandlers.ofString());
    JsonNode body = JSON.readTree(response.body());
    if (response.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
      throw new IOException("HTTP " + response.statusCode() + " for " + promql + ": " + body.path("error").asText(response.body()));
    }
    JsonNode result = body.path("data").path("result");
    if (!result.isArray() || result.isEmpty()) {
      return OptionalDouble.empty();
    }
    if (result.size() > 1) {
      throw new IOException(promql + " gave " + result.size() + " series; it must aggregate to one, e.g. with sum(...)");
    }
    double value = Double.parseDouble(result.get(0).path("value").path(1).asText("NaN"));
    return Double.isNaN(value) || Double.isInfinite(value) ? OptionalDouble.empty() : OptionalDouble.of(value);
  }
}
