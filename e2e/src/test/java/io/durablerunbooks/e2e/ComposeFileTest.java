package io.durablerunbooks.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml cannot be run here (no Docker engine), so it is checked the two ways that
 * can: docker-compose itself validates it, and the worker service is held against what the worker
 * actually reads (its environment variables, its port, its build).
 */
class ComposeFileTest {

  private static final Path COMPOSE = Stack.REPO.resolve("docker-compose.yml");

  @Test
  void dockerComposeAcceptsTheFile() throws Exception {
    Process p =
        new ProcessBuilder("docker-compose", "-f", COMPOSE.toString(), "config", "-q")
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
  }

  @Test
  void theWorkerServiceSetsOnlyVariablesTheWorkerReadsAndPublishesItsPort() throws Exception {
    JsonNode worker = new ObjectMapper(new YAMLFactory()).readTree(COMPOSE.toFile()).path("services").path("worker");
    List<String> names = new ArrayList<>();
    worker.path("environment").fieldNames().forEachRemaining(names::add);

    List<String> read = variablesTheWorkerReads();
    assertThat(read).contains("TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "TEMPORAL_API_KEY", "RUNBOOKS_TASK_QUEUE");
    for (String name : names) {
      assertThat(read.contains(name) || springProperty(name))
          .as("compose sets %s, which the worker does not read", name)
          .isTrue();
    }
    assertThat(names).contains("TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE");

    String port = worker.path("environment").path("MANAGEMENT_SERVER_PORT").asText();
    assertThat(port).isEqualTo(applicationYamlPort());
    List<String> ports = new ArrayList<>();
    worker.path("ports").forEach(n -> ports.add(n.asText()));
    assertThat(ports).anyMatch(p -> p.endsWith(":" + port));
    assertThat(worker.path("build").path("dockerfile").asText()).isEqualTo("worker/Dockerfile");
    assertThat(Files.readString(Stack.REPO.resolve("worker/Dockerfile"))).contains("-exec.jar").contains("pg_dump");
  }

  /** Spring Boot binds SERVER_*, MANAGEMENT_* to its own properties (relaxed binding). */
  private static boolean springProperty(String name) {
    return name.startsWith("SERVER_") || name.startsWith("MANAGEMENT_");
  }

  private static String applicationYamlPort() throws Exception {
    JsonNode app =
        new ObjectMapper(new YAMLFactory()).readTree(Stack.REPO.resolve("worker/src/main/resources/application.yml").toFile());
    return app.path("management").path("server").path("port").asText();
  }

  /** Every environment variable name the worker's code (and the code it runs) looks up. */
  private static List<String> variablesTheWorkerReads() throws Exception {
    Pattern lookup = Pattern.compile("(?:getOrDefault|getenv|get)\\(\\s*\"([A-Z][A-Z0-9_]+)\"|\\$\\{([A-Z][A-Z0-9_]+)[:}]");
    List<String> names = new ArrayList<>();
    for (String module : List.of("api", "worker", "activities")) {
      try (Stream<Path> files = Files.walk(Stack.REPO.resolve(module + "/src/main"))) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          Matcher m = lookup.matcher(Files.readString(f));
          while (m.find()) {
            names.add(m.group(1) != null ? m.group(1) : m.group(2));
          }
        }
      }
    }
    return names;
  }
}
