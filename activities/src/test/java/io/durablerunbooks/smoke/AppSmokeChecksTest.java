package io.durablerunbooks.smoke;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.sun.net.httpserver.HttpServer;
import io.durablerunbooks.smoke.AppCheck.Verdict;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The six checks against a real HTTP server on 127.0.0.1 whose answers each test sets. */
class AppSmokeChecksTest {

  private record Answer(int status, String body, long delayMillis) {}

  private final Map<String, Answer> answers = new ConcurrentHashMap<>();
  private HttpServer server;
  private String base;
  private final AppSmokeChecks smoke = new AppSmokeChecks(AppSmokeChecks.defaultHttpClient());

  @BeforeEach
  void healthyApplication() throws IOException {
    answers.put("/health", new Answer(200, "{\"status\":\"ok\"}", 0));
    answers.put("/", new Answer(200, "<html><h1>demo v2</h1></html>", 0));
    answers.put("/api/db", new Answer(200, "ok", 0));
    answers.put("/static/app.css", new Answer(200, "body{}", 0));
    answers.put("/api/items", new Answer(200, "[{\"id\":1}]", 0));
    answers.put("/api/version", new Answer(200, "v2", 0));
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.createContext(
        "/",
        exchange -> {
          Answer a = answers.getOrDefault(exchange.getRequestURI().getPath(), new Answer(404, "not found", 0));
          try {
            Thread.sleep(a.delayMillis());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(a.status(), body.length == 0 ? -1 : body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    base = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private static AppSmokeSpec spec(Duration latencyLimit, String expectText) {
    return new AppSmokeSpec(
        "/health", "/", "/api/db", "/static/app.css", "/api/items", "/api/version", latencyLimit, 3, expectText,
        Duration.ofSeconds(5));
  }

  @Test
  void aHealthyApplicationPassesAllSixWithWhatEachMeasured() {
    AppSmokeResult result = smoke.check(base + "/", spec(AppSmokeSpec.DEFAULT_LATENCY_LIMIT, "v2"));

    assertThat(result.passed()).isTrue();
    assertThat(result.checks()).extracting(AppCheck::name, AppCheck::verdict)
        .containsExactly(
            tuple("health", Verdict.PASSED), tuple("frontPage", Verdict.PASSED), tuple("database", Verdict.PASSED),
            tuple("staticAsset", Verdict.PASSED), tuple("databaseRead", Verdict.PASSED), tuple("latency", Verdict.PASSED));
    assertThat(result.checks().get(0).measured()).matches("/health: HTTP 200, 15 bytes in \\d+ ms");
    assertThat(result.checks().get(5).measured()).matches("/api/version: slowest \\d+ ms of 3 calls, median \\d+ ms");
    assertThat(result.failures()).isEmpty();
  }

  @Test
  void aDatabaseTheApplicationCannotReachFailsThatCheckWithItsStatus() {
    answers.put("/api/db", new Answer(503, "connection refused by postgres", 0));

    AppSmokeResult result = smoke.check(base, spec(AppSmokeSpec.DEFAULT_LATENCY_LIMIT, ""));

    assertThat(result.passed()).isFalse();
    assertThat(result.failures()).startsWith("database: /api/db: HTTP 503").contains("expected HTTP 200");
  }

  @Test
  void aFrontPageWithoutTheExpectedVersionFails() {
    AppSmokeResult result = smoke.check(base, spec(AppSmokeSpec.DEFAULT_LATENCY_LIMIT, "v3"));

    assertThat(result.failures()).isEqualTo("frontPage: /: HTTP 200, 29 bytes in " + millis(result, 1) + " ms, without \"v3\""
        + " (expected HTTP 200 with a body containing \"v3\")");
  }

  @Test
  void aSlowApiFailsTheLatencyCheckWithTheMeasuredTime() {
    answers.put("/api/version", new Answer(200, "v2", 400));

    AppSmokeResult result = smoke.check(base, spec(Duration.ofMillis(100), ""));

    AppCheck latency = result.checks().get(5);
    assertThat(latency.verdict()).isEqualTo(Verdict.FAILED);
    assertThat(latency.measured()).matches("/api/version: slowest (4\\d\\d|[5-9]\\d\\d|\\d{4,}) ms of 3 calls, median \\d+ ms");
  }

  @Test
  void anApplicationThatIsDownFailsEveryCheckAndPassesNone() {
    server.stop(0);

    AppSmokeResult result = smoke.check(base, spec(AppSmokeSpec.DEFAULT_LATENCY_LIMIT, ""));

    assertThat(result.checks()).allSatisfy(c -> {
      assertThat(c.verdict()).isEqualTo(Verdict.FAILED);
      assertThat(c.measured()).contains("connection refused");
    });
  }

  @Test
  void aCheckWithoutAPathIsSkippedAndSaysSo() {
    AppSmokeSpec onlyHealth =
        new AppSmokeSpec("/health", "", "", "", "", "", AppSmokeSpec.DEFAULT_LATENCY_LIMIT, 1, "", Duration.ofSeconds(5));

    AppSmokeResult result = smoke.check(base, onlyHealth);

    assertThat(result.passed()).isTrue();
    assertThat(result.checks()).filteredOn(c -> c.verdict() == Verdict.SKIPPED).hasSize(5)
        .allSatisfy(c -> assertThat(c.measured()).isEqualTo("no path configured"));
  }

  private static String millis(AppSmokeResult result, int check) {
    return result.checks().get(check).measured().replaceAll(".* in (\\d+) ms.*", "$1");
  }
}
