package io.durablerunbooks.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The probe against a server on 127.0.0.1 that plays nginx: every 4th request "V2" answers, and
 * the test decides how V2 behaves.
 */
class HttpProbeTest {

  private final AtomicInteger requests = new AtomicInteger();
  private volatile int v2Status = 200;
  private volatile long v2DelayMillis;
  private HttpServer server;
  private final HttpProbe probe = new HttpProbe(HttpProbe.defaultHttpClient());

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newFixedThreadPool(16));
    server.createContext("/", exchange -> {
      boolean v2 = requests.incrementAndGet() % 4 == 0;
      try {
        if (v2 && v2DelayMillis > 0) {
          Thread.sleep(v2DelayMillis);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      exchange.getResponseHeaders().add("X-Backend", v2 ? "shop_v2" : "shop_v1");
      exchange.sendResponseHeaders(v2 ? v2Status : 200, -1);
      exchange.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private ProbeSpec spec(String url, Duration window, Duration timeout) {
    return new ProbeSpec(url, "X-Backend", 40, window, timeout);
  }

  private String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/api/version";
  }

  @Test
  void answersAreCountedPerVersionByTheHeaderAtTheConfiguredRate() throws Exception {
    Observation o = probe.observe(spec(url(), Duration.ofSeconds(1), Duration.ofSeconds(2)), "shop_v1", "shop_v2", () -> true);

    assertThat(o.v1().requests() + o.v2().requests()).isEqualTo(40);
    assertThat(o.v2().requests()).isEqualTo(10);
    assertThat(o.v2().failed()).isZero();
    assertThat(o.unattributed()).isZero();
  }

  @Test
  void theP95IsAPercentileOfV2sOwnLatenciesAndFailuresAreCounted() throws Exception {
    v2DelayMillis = 300;
    v2Status = 503;

    Observation o = probe.observe(spec(url(), Duration.ofSeconds(1), Duration.ofSeconds(2)), "shop_v1", "shop_v2", () -> true);

    assertThat(o.v2().p95Millis()).isGreaterThanOrEqualTo(300);
    assertThat(o.v2().failed()).isEqualTo(o.v2().requests());
    assertThat(o.v1().p95Millis()).as("V1 is not slowed by V2").isLessThan(300);
    assertThat(o.v1().failed()).isZero();
  }

  @Test
  void aRequestPastTheTimeoutFails() throws Exception {
    v2DelayMillis = 1500;

    Observation o = probe.observe(spec(url(), Duration.ofMillis(500), Duration.ofMillis(200)), "shop_v1", "shop_v2", () -> true);

    assertThat(o.unattributed()).as("a timed-out request has no answer to name its version").isEqualTo(5);
    assertThat(o.v2().requests()).isZero();
  }

  @Test
  void nothingListeningLeavesEveryRequestUnattributed() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    Observation o = probe.observe(spec("http://127.0.0.1:" + port + "/", Duration.ofMillis(250), Duration.ofSeconds(1)), "shop_v1",
        "shop_v2", () -> true);

    assertThat(o.unattributed()).isEqualTo(10);
    assertThat(o.v2()).isEqualTo(VersionStats.NONE);
  }

  @Test
  void aSampleCountsTheSplit() throws Exception {
    SplitSample s = probe.sample(spec(url(), Duration.ofSeconds(1), Duration.ofSeconds(2)), "shop_v1", "shop_v2", 200, () -> true);

    assertThat(s.v1()).isEqualTo(150);
    assertThat(s.v2()).isEqualTo(50);
    assertThat(s.v2Percent()).isEqualTo(25.0);
  }
}
