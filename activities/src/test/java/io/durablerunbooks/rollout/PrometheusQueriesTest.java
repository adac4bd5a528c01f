package io.durablerunbooks.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Prometheus reader against a server on 127.0.0.1 that answers the HTTP API's query endpoint
 * with the values a test sets per query; the real server is used by the end-to-end tests.
 */
class PrometheusQueriesTest {

  private static final PrometheusSource SOURCE_TEMPLATE =
      new PrometheusSource("", "histogram_quantile(0.95, sum by (le) (rate(lat_bucket{upstream=\"{upstream}\"}[{window}])))",
          "sum(increase(lat_count{upstream=\"{upstream}\"}[{window}]))",
          "sum(increase(lat_count{upstream=\"{upstream}\",code=~\"5..\"}[{window}]))", Duration.ofSeconds(2));

  /** Query text to the JSON "result" array it answers; unknown queries answer an empty result. */
  private final Map<String, String> results = new ConcurrentHashMap<>();
  private final List<String> asked = new CopyOnWriteArrayList<>();
  private HttpServer server;
  private final PrometheusQueries queries = new PrometheusQueries(HttpProbe.defaultHttpClient());

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/api/v1/query", exchange -> {
      String raw = exchange.getRequestURI().getRawQuery();
      String query = "";
      for (String part : raw.split("&")) {
        if (part.startsWith("query=")) {
          query = URLDecoder.decode(part.substring(6), StandardCharsets.UTF_8);
        }
      }
      asked.add(query);
      byte[] body = ("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":" + results.getOrDefault(query, "[]") + "}}")
          .getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private PrometheusSource source() {
    return new PrometheusSource("http://127.0.0.1:" + server.getAddress().getPort() + "/", SOURCE_TEMPLATE.latency(),
        SOURCE_TEMPLATE.requests(), SOURCE_TEMPLATE.errors(), SOURCE_TEMPLATE.timeout());
  }

  private void answer(String template, String upstream, String value) {
    results.put(PrometheusSource.fill(template, upstream, Duration.ofSeconds(10)), "[{\"metric\":{},\"value\":[1796025600.0,\"" + value + "\"]}]");
  }

  @Test
  void eachVersionIsReadWithItsOwnUpstreamOverTheWindow() throws Exception {
    answer(SOURCE_TEMPLATE.requests(), "shop_v1", "180");
    answer(SOURCE_TEMPLATE.latency(), "shop_v1", "0.042");
    answer(SOURCE_TEMPLATE.requests(), "shop_v2", "20.4");
    answer(SOURCE_TEMPLATE.latency(), "shop_v2", "0.3105");
    answer(SOURCE_TEMPLATE.errors(), "shop_v2", "2");

    Observation o = queries.observe(source(), "shop_v1", "shop_v2", Duration.ofSeconds(10));

    assertThat(o.v1()).isEqualTo(new VersionStats(180, 0, 42));
    assertThat(o.v2()).isEqualTo(new VersionStats(20, 2, 311));
    assertThat(o.problem()).isEmpty();
    assertThat(asked).contains("sum(increase(lat_count{upstream=\"shop_v2\",code=~\"5..\"}[10s]))");
  }

  @Test
  void noRequestsOrANaNLatencyIsNoDataNeverZero() throws Exception {
    answer(SOURCE_TEMPLATE.requests(), "shop_v1", "50");
    answer(SOURCE_TEMPLATE.latency(), "shop_v1", "NaN");

    Observation o = queries.observe(source(), "shop_v1", "shop_v2", Duration.ofSeconds(10));

    assertThat(o.v1()).isEqualTo(VersionStats.NONE);
    assertThat(o.v2()).isEqualTo(VersionStats.NONE);
    assertThat(o.problem()).contains("shop_v1: the latency query gave no value", "shop_v2: no requests in the last 10 s");
  }

  @Test
  void aServerThatDoesNotAnswerGivesNoDataAndSaysSo() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    PrometheusSource down = new PrometheusSource("http://127.0.0.1:" + port, SOURCE_TEMPLATE.latency(), SOURCE_TEMPLATE.requests(),
        SOURCE_TEMPLATE.errors(), Duration.ofSeconds(1));

    Observation o = queries.observe(down, "shop_v1", "shop_v2", Duration.ofSeconds(10));

    assertThat(o.v2()).isEqualTo(VersionStats.NONE);
    assertThat(o.problem()).contains("shop_v2: Prometheus at http://127.0.0.1:" + port + " did not answer");
  }

  @Test
  void aQueryGivingSeveralSeriesIsNoDataWithTheReason() throws Exception {
    results.put(PrometheusSource.fill(SOURCE_TEMPLATE.requests(), "shop_v2", Duration.ofSeconds(10)),
        "[{\"metric\":{\"instance\":\"a\"},\"value\":[1,\"5\"]},{\"metric\":{\"instance\":\"b\"},\"value\":[1,\"6\"]}]");

    Observation o = queries.observe(source(), "shop_v1", "shop_v2", Duration.ofSeconds(10));

    assertThat(o.v2()).isEqualTo(VersionStats.NONE);
    assertThat(o.problem()).contains("gave 2 series; it must aggregate to one");
  }
}
