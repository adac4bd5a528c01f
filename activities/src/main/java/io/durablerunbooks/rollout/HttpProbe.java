package io.durablerunbooks.rollout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Sends real requests through nginx at a steady rate and attributes each answer to a version by
 * the response header nginx adds. A request that gets no answer within the timeout, or a 5xx,
 * failed; one no version answered (nginx unreachable) is unattributed.
 */
public final class HttpProbe {

  /** One request's outcome. */
  private record Answer(String backend, boolean failed, long millis) {}

  private final HttpClient http;

  public HttpProbe(HttpClient http) {
    this.http = http;
  }

  public static HttpClient defaultHttpClient() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2))
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  /**
   * Requests at {@code probe.ratePerSecond()} for {@code probe.window()}.
   *
   * @param alive checked between requests; false stops the observation early (the activity was
   *     cancelled or its worker is going away)
   */
  Observation observe(ProbeSpec probe, String v1, String v2, BooleanSupplier alive) throws InterruptedException {
    Instant started = Instant.now();
    long count = Math.max(1, probe.window().toMillis() * probe.ratePerSecond() / 1000);
    List<Answer> answers = send(probe, count, 1_000_000_000L / probe.ratePerSecond(), alive);
    int unattributed = unattributed(answers, v1, v2);
    return new Observation(started.toString(), Instant.now().toString(), stats(answers, v1), stats(answers, v2), unattributed,
        unattributed == answers.size() && !answers.isEmpty() ? "no request through " + probe.url() + " was answered by either version" : "");
  }

  /** {@code samples} requests, a few at a time, as fast as they are answered. */
  SplitSample sample(ProbeSpec probe, String v1, String v2, int samples, BooleanSupplier alive) throws InterruptedException {
    List<Answer> answers = send(probe, samples, 0, alive);
    int a = stats(answers, v1).requests();
    int b = stats(answers, v2).requests();
    return new SplitSample(a, b, unattributed(answers, v1, v2));
  }

  /**
   * {@code count} GET requests to one URL, a few at a time, every answer counted (for an
   * application's own error rate and p95 latency, with no version to tell apart).
   */
  public VersionStats sample(String url, int count, Duration timeout, BooleanSupplier alive) throws InterruptedException {
    return stats(send(new ProbeSpec(url, "", 1, Duration.ofSeconds(1), timeout), count, 0, alive), "");
  }

  /** @param spacingNanos between request starts, 0 for at most 8 in flight with no spacing */
  private List<Answer> send(ProbeSpec probe, long count, long spacingNanos, BooleanSupplier alive) throws InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(probe.url())).timeout(probe.timeout()).header("User-Agent", "durable-runbooks-probe").GET().build();
    List<CompletableFuture<Answer>> pending = new ArrayList<>();
    long start = System.nanoTime();
    for (long i = 0; i < count && alive.getAsBoolean(); i++) {
      if (spacingNanos > 0) {
        long wait = start + i * spacingNanos - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
      } else if (i >= 8) {
        pending.get((int) i - 8).exceptionally(e -> null).join();
      }
      pending.add(ask(request, probe));
    }
    List<Answer> answers = new ArrayList<>();
    for (CompletableFuture<Answer> p : pending) {
      answers.add(p.join());
    }
    return answers;
  }

  private CompletableFuture<Answer> ask(HttpRequest request, ProbeSpec probe) {
    long sent = System.nanoTime();
    return http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
        .handle((response, error) -> {
          long millis = (System.nanoTime() - sent) / 1_000_000;
          if (response == null) {
            return new Answer("", true, Math.max(millis, probe.timeout().toMillis()));
          }
          String backend = response.headers().firstValue(probe.header()).orElse("");
          return new Answer(backend, response.statusCode() >= 500, millis);
        });
  }

  private static VersionStats stats(List<Answer> answers, String backend) {
    List<Long> latencies = new ArrayList<>();
    int failed = 0;
    for (Answer a : answers) {
      if (a.backend().equals(backend)) {
        latencies.add(a.millis());
        failed += a.failed() ? 1 : 0;
      }
    }
    if (latencies.isEmpty()) {
      return VersionStats.NONE;
    }
    Collections.sort(latencies);
    // Nearest rank: the smallest latency at or above which 5 % of the requests lie.
    int rank = (int) Math.ceil(0.95 * latencies.size());
    return new VersionStats(latencies.size(), failed, latencies.get(rank - 1));
  }

  private static int unattributed(List<Answer> answers, String v1, String v2) {
    return (int) answers.stream().filter(a -> !a.backend().equals(v1) && !a.backend().equals(v2)).count();
  }
}
