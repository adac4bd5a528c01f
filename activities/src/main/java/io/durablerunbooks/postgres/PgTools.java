package io.durablerunbooks.postgres;

import io.durablerunbooks.activities.FailureTypes;
import io.temporal.failure.ApplicationFailure;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds {@code pg_dump} and {@code pg_restore} on the worker. A dump must be made by a client at
 * least as new as the server, so the tool of the server's major version is preferred (Debian
 * installs each in {@code /usr/lib/postgresql/<major>/bin}), then the one on PATH, then any newer
 * installed one.
 */
public final class PgTools {

  /** @param major the tool's major version, e.g. 15 */
  public record ClientTool(String name, Path path, String version, int major) {

    /** {@code pg_dump 15.18}, as reports and manifests show it. */
    public String describe() {
      return name + " " + version;
    }
  }

  private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\) (\\d+)(?:\\.(\\d+))?");

  private final Path postgresLibDir;
  private final String searchPath;
  private final Map<Path, ClientTool> probed = new ConcurrentHashMap<>();

  /**
   * @param postgresLibDir where versioned installations live, {@code /usr/lib/postgresql} on Debian
   * @param searchPath the worker's PATH
   */
  public PgTools(Path postgresLibDir, String searchPath) {
    this.postgresLibDir = Objects.requireNonNull(postgresLibDir, "postgresLibDir");
    this.searchPath = Objects.requireNonNull(searchPath, "searchPath");
  }

  /**
   * The client tool that can work with a server of major version {@code serverMajor}.
   *
   * @throws ApplicationFailure non-retryable {@code ToolNotFound} or {@code ToolTooOld}
   */
  public ClientTool forServer(String tool, int serverMajor) {
    List<ClientTool> found = new ArrayList<>();
    for (Path candidate : candidates(tool, serverMajor)) {
      ClientTool probedTool = probe(tool, candidate);
      if (probedTool.major() >= serverMajor) {
        return probedTool;
      }
      found.add(probedTool);
    }
    String install =
        "install the PostgreSQL " + serverMajor + " client on the worker (Debian: apt-get install postgresql-client-"
            + serverMajor + ")";
    if (found.isEmpty()) {
      throw ApplicationFailure.newNonRetryableFailure(
          tool + " not found on the worker (looked in " + postgresLibDir + "/<major>/bin and PATH); " + install,
          FailureTypes.TOOL_NOT_FOUND);
    }
    ClientTool newest = found.stream().max(Comparator.comparingInt(ClientTool::major)).orElseThrow();
    throw ApplicationFailure.newNonRetryableFailure(
        tool + " " + newest.version() + " (" + newest.path() + ") is older than the server (major "
            + serverMajor + ") and cannot work with it; " + install,
        FailureTypes.TOOL_TOO_OLD);
  }

  private List<Path> candidates(String tool, int serverMajor) {
    List<Path> candidates = new ArrayList<>();
    addIfExecutable(candidates, postgresLibDir.resolve(String.valueOf(serverMajor)).resolve("bin").resolve(tool));
    for (String dir : searchPath.split(File.pathSeparator)) {
      if (!dir.isEmpty()) {
        addIfExecutable(candidates, Path.of(dir).resolve(tool));
      }
    }
    if (Files.isDirectory(postgresLibDir)) {
      try (Stream<Path> versions = Files.list(postgresLibDir)) {
        versions
            .filter(dir -> dir.getFileName().toString().matches("\\d+"))
            .sorted(Comparator.comparingInt((Path dir) -> Integer.parseInt(dir.getFileName().toString())).reversed())
            .forEach(dir -> addIfExecutable(candidates, dir.resolve("bin").resolve(tool)));
      } catch (IOException e) {
        // An unreadable directory only means fewer candidates; the message lists where we looked.
      }
    }
    return candidates;
  }

  private static void addIfExecutable(List<Path> candidates, Path path) {
    if (Files.isExecutable(path) && !candidates.contains(path)) {
      candidates.add(path);
    }
  }

  private ClientTool probe(String tool, Path path) {
    return probed.computeIfAbsent(path, p -> runVersion(tool, p));
  }

  private static ClientTool runVersion(String tool, Path path) {
    String output;
    try {
      Process process = new ProcessBuilder(path.toString(), "--version").redirectErrorStream(true).start();
      output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (IOException e) {
      throw ApplicationFailure.newNonRetryableFailure(
          tool + " at " + path + " cannot be run (" + e.getMessage() + "); fix its installation on the worker",
          FailureTypes.TOOL_NOT_FOUND);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while asking " + path + " for its version", e);
    }
    Matcher m = VERSION.matcher(output);
    if (!m.find()) {
      throw ApplicationFailure.newNonRetryableFailure(
          tool + " at " + path + " printed no PostgreSQL version ('" + output + "'); fix its installation on the worker",
          FailureTypes.TOOL_NOT_FOUND);
    }
    String version = m.group(2) == null ? m.group(1) : m.group(1) + "." + m.group(2);
    return new ClientTool(tool, path, version, Integer.parseInt(m.group(1)));
  }
}
