package io.durablerunbooks.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The SSH hosts of the local stack ({@code scripts/hosts.sh}): web1..web4, each serving the demo
 * application from its {@code current} release.
 */
final class DemoHosts {

  static final int COUNT = 4;
  static final Path STATE = Stack.DIR;
  static final Path SSH = STATE.resolve("ssh");
  private static final Pattern VERSION = Pattern.compile("\"version\": ?\"([^\"]+)\"");
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).version(HttpClient.Version.HTTP_1_1).build();

  private DemoHosts() {}

  static String name(int k) {
    return "web" + k;
  }

  static int sshPort(int k) {
    return 12200 + k;
  }

  static String appUrl(int k) {
    return "http://127.0.0.1:" + (18100 + k);
  }

  static Path root(int k) {
    return STATE.resolve("hosts").resolve(name(k)).resolve("app");
  }

  /** The release a host's application answers with right now, from {@code /api/version}. */
  static String servedVersion(int k) throws IOException, InterruptedException {
    HttpResponse<String> r =
        HTTP.send(HttpRequest.newBuilder(URI.create(appUrl(k) + "/api/version")).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString());
    Matcher m = VERSION.matcher(r.body());
    return r.statusCode() + " " + (m.find() ? m.group(1) : r.body());
  }

  static String currentRelease(int k) throws IOException {
    return Files.readSymbolicLink(root(k).resolve("current")).getFileName().toString();
  }

  /**
   * A release archive of the demo application, as a build server would make it: the repository's
   * {@code demo-app/} with its VERSION, plus any extra files (e.g. FAIL_ROUTES).
   */
  static Path artifact(Path dir, String release, Map<String, String> extraFiles) throws Exception {
    Path source = Stack.REPO.resolve("demo-app");
    Path tree = Files.createDirectories(dir.resolve("build-" + release));
    try (Stream<Path> files = Files.walk(source)) {
      for (Path f : files.sorted(Comparator.naturalOrder()).toList()) {
        if (f.toString().contains("__pycache__")) {
          continue;
        }
        Path to = tree.resolve(source.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(to);
        } else {
          Files.copy(f, to, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
    Files.writeString(tree.resolve("VERSION"), release + "\n");
    for (Map.Entry<String, String> e : extraFiles.entrySet()) {
      Path file = tree.resolve(e.getKey());
      Files.createDirectories(file.getParent());
      Files.writeString(file, e.getValue());
    }
    Path archive = dir.resolve(release + ".tar.gz");
    Process tar = new ProcessBuilder("tar", "-czf", archive.toString(), "-C", tree.toString(), ".").inheritIO().start();
    if (tar.waitFor() != 0) {
      throw new IllegalStateException("tar failed for " + archive);
    }
    return archive;
  }

  /** Requests one host's application without pause and counts what it answered, until stopped. */
  static final class Hammer implements AutoCloseable {

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Map<String, AtomicInteger> answers = new ConcurrentHashMap<>();
    private final Thread thread;

    Hammer(int k) {
      thread = new Thread(() -> {
        while (running.get()) {
          String seen;
          try {
            seen = servedVersion(k);
          } catch (IOException e) {
            seen = "error " + e.getClass().getSimpleName();
          } catch (InterruptedException e) {
            return;
          }
          answers.computeIfAbsent(seen, x -> new AtomicInteger()).incrementAndGet();
        }
      }, "hammer " + name(k));
      thread.setDaemon(true);
      thread.start();
    }

    /** Answer ("200 v2", "error ConnectException", ...) to how many times it was seen. */
    Map<String, Integer> answers() {
      return answers.entrySet().stream()
          .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> e.getValue().get()));
    }

    List<String> kinds() {
      return List.copyOf(answers.keySet());
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      thread.join(10_000);
    }
  }
}
