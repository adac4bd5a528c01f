import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Steady load for the benchmarks, bounded in time and count, loopback only:
 *   java bench/loadgen/LoadGen.java URL THREADS SECONDS MAX_REQUESTS [STOP_FILE]
 * Each thread sends one request after the other; the run ends after SECONDS, after MAX_REQUESTS,
 * or as soon as STOP_FILE exists. Prints one line per outcome ("200 rollout_v1 1234") and a total.
 */
public final class LoadGen {

  public static void main(String[] args) throws Exception {
    if (args.length < 4) {
      System.err.println("usage: LoadGen URL THREADS SECONDS MAX_REQUESTS [STOP_FILE]");
      System.exit(2);
    }
    URI uri = URI.create(args[0]);
    if (!"127.0.0.1".equals(uri.getHost()) && !"localhost".equals(uri.getHost())) {
      System.err.println("LoadGen: only loopback targets (127.0.0.1, localhost), got " + uri.getHost());
      System.exit(2);
    }
    int threads = Integer.parseInt(args[1]);
    long deadline = System.nanoTime() + Duration.ofSeconds(Long.parseLong(args[2])).toNanos();
    long max = Long.parseLong(args[3]);
    java.nio.file.Path stop = args.length > 4 ? java.nio.file.Path.of(args[4]) : null;
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build();
    AtomicLong sent = new AtomicLong();
    Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
    Thread[] workers = new Thread[threads];
    for (int i = 0; i < threads; i++) {
      workers[i] = new Thread(() -> {
        while (System.nanoTime() < deadline && sent.incrementAndGet() <= max && (stop == null || !java.nio.file.Files.exists(stop))) {
          String outcome;
          try {
            HttpResponse<Void> r = http.send(request, HttpResponse.BodyHandlers.discarding());
            outcome = r.statusCode() + " " + r.headers().firstValue("X-Rollout-Backend").orElse("-");
          } catch (java.io.IOException e) {
            outcome = "error " + e.getClass().getSimpleName();
          } catch (InterruptedException e) {
            return;
          }
          outcomes.computeIfAbsent(outcome, k -> new AtomicInteger()).incrementAndGet();
        }
      });
      workers[i].start();
    }
    for (Thread t : workers) {
      t.join();
    }
    long total = 0;
    for (Map.Entry<String, AtomicInteger> e : new TreeMap<>(outcomes).entrySet()) {
      System.out.println(e.getKey() + " " + e.getValue().get());
      total += e.getValue().get();
    }
    System.out.println("total " + total);
  }
}
