package io.durablerunbooks.smoke;

import io.durablerunbooks.smoke.AppCheck.Verdict;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Runs the six application smoke checks against one instance over HTTP. Every check reports what
 * it measured; a check that cannot reach the application fails with the reason, never passes.
 */
public final class AppSmokeChecks {

  private final HttpClient http;

  public AppSmokeChecks(HttpClient http) {
    this.http = Objects.requireNonNull(http, "http");
  }

  public static HttpClient defaultHttpClient() {
    return HttpClient.newBuilder()
        .connectTimeout(Duration.ofSeconds(5))
        .followRedirects(HttpClient.Redirect.NORMAL)
        .version(HttpClient.Version.HTTP_1_1)
        .build();
  }

  public AppSmokeResult check(String baseUrl, AppSmokeSpec spec) {
    String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    List<AppCheck> checks = new ArrayList<>();
    checks.add(status("health", base, spec.health(), spec, ""));
    checks.add(status("frontPage", base, spec.frontPage(), spec, spec.expectText()));
    checks.add(status("database", base, spec.database(), spec, ""));
    checks.add(status("staticAsset", base, spec.staticAsset(), spec, ""));
    checks.add(status("databaseRead", base, spec.databaseRead(), spec, ""));
    checks.add(latency(base, spec));
    return new AppSmokeResult(base, checks);
  }

  private AppCheck status(String name, String base, String path, AppSmokeSpec spec, String mustContain) {
    String expected = "HTTP 200 with a body" + (mustContain.isEmpty() ? "" : " containing \"" + mustContain + "\"");
    if (path.isEmpty()) {
      return new AppCheck(name, Verdict.SKIPPED, "no path configured", expected);
    }
    Response r = get(base + path, spec.timeout());
    boolean passed =
        r.error().isEmpty() && r.status() == 200 && r.bytes() > 0 && (mustContain.isEmpty() || r.body().contains(mustContain));
    String measured = r.describe() + (passed || mustContain.isEmpty() || r.status() != 200 ? "" : ", without \"" + mustContain + "\"");
    return new AppCheck(name, passed ? Verdict.PASSED : Verdict.FAILED, path + ": " + measured, expected);
  }

  private AppCheck latency(String base, AppSmokeSpec spec) {
    String expected = "each of " + spec.latencySamples() + " calls HTTP 200 under " + spec.latencyLimit().toMillis() + " ms";
    if (spec.latency().isEmpty()) {
      return new AppCheck("latency", Verdict.SKIPPED, "no path configured", expected);
    }
    long[] millis = new long[spec.latencySamples()];
    for (int i = 0; i < millis.length; i++) {
      Response r = get(base + spec.latency(), spec.timeout());
      if (!r.error().isEmpty() || r.status() != 200) {
        return new AppCheck("latency", Verdict.FAILED, spec.latency() + ": call " + (i + 1) + " " + r.describe(), expected);
      }
      millis[i] = r.millis();
    }
    Arrays.sort(millis);
    long slowest = millis[millis.length - 1];
    boolean passed = slowest < spec.latencyLimit().toMillis();
    return new AppCheck(
        "latency",
        passed ? Verdict.PASSED : Verdict.FAILED,
        spec.latency() + ": slowest " + slowest + " ms of " + millis.length + " calls, median " + millis[millis.length / 2] + " ms",
        expected);
  }

  private record Response(int status, int bytes, String body, long millis, String error) {

    String describe() {
      return error.isEmpty() ? "HTTP " + status + ", " + bytes + " bytes in " + millis + " ms" : error + " after " + millis + " ms";
    }
  }

  private Response get(String url, Duration timeout) {
    long started = System.nanoTime();
    try {
      HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET().build();
      HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
      byte[] body = response.body();
      return new Response(
          response.statusCode(), body.length, new String(body, StandardCharsets.UTF_8), millisSince(started), "");
    } catch (HttpTimeoutException e) {
      return new Response(0, 0, "", millisSince(started), "no answer within " + timeout.toMillis() + " ms");
    } catch (ConnectException e) {
      return new Response(0, 0, "", millisSince(started), "connection refused");
    } catch (IOException e) {
      return new Response(0, 0, "", millisSince(started), "request failed (" + e.getClass().getSimpleName() + ")");
    } catch (IllegalArgumentException e) {
      return new Response(0, 0, "", millisSince(started), "'" + url + "' is not a URL");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during the smoke checks of " + url, e);
    }
  }

  private static long millisSince(long started) {
    return (System.nanoTime() - started) / 1_000_000;
  }
}
