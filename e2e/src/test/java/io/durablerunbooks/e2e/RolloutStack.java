package io.durablerunbooks.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The rollout part of the local stack (scripts/nginx.sh): nginx on 127.0.0.1:18300 splitting
 * between the upstreams rollout_v1 and rollout_v2, each two demo application instances, and the
 * SSH host lb1 the runbook reaches nginx through.
 */
final class RolloutStack {

  static final String URL = env("RUNBOOKS_NGINX_URL");
  static final Path SPLIT_FILE = Path.of(env("RUNBOOKS_NGINX_SPLIT_FILE"));
  static final String CTL = env("RUNBOOKS_NGINX_CTL");
  static final int LB_SSH_PORT = Integer.parseInt(env("RUNBOOKS_LB_SSH_PORT"));
  static final List<Path> V2_DIRS = Arrays.stream(env("RUNBOOKS_ROLLOUT_V2_DIRS").split(" ")).map(Path::of).toList();
  private static final Pattern WEIGHT = Pattern.compile("v2 weight (\\d+)");
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();

  private RolloutStack() {}

  private static String env(String name) {
    String value = System.getenv(name);
    assertThat(value).as("%s is not set: run the tests through scripts/test.sh, or eval \"$(scripts/stack.sh env)\" first", name)
        .isNotBlank();
    return value;
  }

  /** All traffic on V1 and V2 healthy, as a test expects to find it. */
  static void reset() throws Exception {
    for (Path dir : V2_DIRS) {
      Files.deleteIfExists(dir.resolve("SLOW_MS"));
      Files.deleteIfExists(dir.resolve("FAIL_ROUTES"));
    }
    Files.deleteIfExists(SPLIT_FILE.resolveSibling("zz-broken.conf"));
    Files.writeString(SPLIT_FILE, "split_clients \"${request_id}\" $rollout_backend {\n    * rollout_v1;\n}\n");
    Process reload = new ProcessBuilder(CTL, "reload").redirectErrorStream(true).start();
    assertThat(reload.waitFor()).as(new String(reload.getInputStream().readAllBytes())).isZero();
  }

  /** V2's weight as the split file says, -1 if the file is not one a rollout wrote. */
  static int configuredWeight() throws IOException {
    Matcher m = WEIGHT.matcher(Files.readString(SPLIT_FILE));
    return m.find() ? Integer.parseInt(m.group(1)) : -1;
  }

  /** Which upstream answered each of {@code n} requests through nginx. */
  static Map<String, Integer> sample(int n) throws Exception {
    return sample(n, "X-Nothing", "none");
  }

  /** The same for requests carrying a header, e.g. a segment's. */
  static Map<String, Integer> sample(int n, String header, String value) throws Exception {
    Map<String, Integer> seen = new java.util.TreeMap<>();
    for (int i = 0; i < n; i++) {
      HttpRequest request = HttpRequest.newBuilder(URI.create(URL + "/api/version")).timeout(Duration.ofSeconds(5)).header(header, value)
          .GET().build();
      HttpResponse<Void> r = HTTP.send(request, HttpResponse.BodyHandlers.discarding());
      seen.merge(r.statusCode() + " " + r.headers().firstValue("X-Rollout-Backend").orElse("none"), 1, Integer::sum);
    }
    return seen;
  }

  /** Makes V2 answer slowly, or fail on a path, from now on. */
  static void v2(String file, String content) throws IOException {
    for (Path dir : V2_DIRS) {
      Files.writeString(dir.resolve(file), content);
    }
  }

  private static HttpRequest request() {
    return HttpRequest.newBuilder(URI.create(URL + "/api/version")).timeout(Duration.ofSeconds(5)).GET().build();
  }

  /**
   * Steady load through nginx from a few threads, bounded in time and count and refusing anything
   * but loopback; counts answers by status and upstream, and failed requests by error.
   */
  static final class Load implements AutoCloseable {

    private static final Duration LIMIT = Duration.ofMinutes(5);
    private static final int MAX_REQUESTS = 200_000;

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger sent = new AtomicInteger();
    private final Map<String, AtomicInteger> answers = new ConcurrentHashMap<>();
    private final List<Thread> threads;

    Load(int threads) {
      assertThat(URI.create(URL).getHost()).as("load only on loopback").isEqualTo("127.0.0.1");
      long deadline = System.nanoTime() + LIMIT.toNanos();
      this.threads = java.util.stream.IntStream.range(0, threads).mapToObj(i -> new Thread(() -> {
        while (running.get() && System.nanoTime() < deadline && sent.incrementAndGet() <= MAX_REQUESTS) {
          String seen;
          try {
            HttpResponse<Void> r = HTTP.send(request(), HttpResponse.BodyHandlers.discarding());
            seen = r.statusCode() + " " + r.headers().firstValue("X-Rollout-Backend").orElse("none");
          } catch (IOException e) {
            seen = "error " + e.getClass().getSimpleName();
          } catch (InterruptedException e) {
            return;
          }
          answers.computeIfAbsent(seen, x -> new AtomicInteger()).incrementAndGet();
        }
      }, "load " + i)).toList();
      this.threads.forEach(t -> {
        t.setDaemon(true);
        t.start();
      });
    }

    /** "200 rollout_v1", "502 rollout_v2", "error HttpTimeoutException" ... to how many. */
    Map<String, Integer> answers() {
      Map<String, Integer> copy = new java.util.TreeMap<>();
      answers.forEach((k, v) -> copy.put(k, v.get()));
      return copy;
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      for (Thread t : threads) {
        t.join(10_000);
      }
    }
  }
}
