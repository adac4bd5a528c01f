package io.durablerunbooks.temporal;

import io.durablerunbooks.runbook.Runbooks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where the Temporal server is and how to authenticate to it. Read from the same environment
 * variables the {@code temporal} CLI uses, so one shell setup serves both.
 *
 * @param tlsCertPath client certificate for mTLS; empty for none
 * @param tlsKeyPath private key for mTLS; empty for none
 * @param tlsCaPath CA bundle to trust; empty for the system's
 * @param apiKey API key for a hosted Temporal (implies TLS); empty for none
 * @param taskQueue the queue workers poll and runs are started on ({@code RUNBOOKS_TASK_QUEUE});
 *     separate queues keep separate fleets of workers (or a test run) apart
 */
public record TemporalSettings(
    String address,
    String namespace,
    String tlsCertPath,
    String tlsKeyPath,
    String tlsCaPath,
    String apiKey,
    String taskQueue) {

  public static final String DEFAULT_ADDRESS = "127.0.0.1:7233";
  public static final String DEFAULT_NAMESPACE = "default";

  public TemporalSettings {
    if (address.isBlank()) {
      throw new IllegalArgumentException("TEMPORAL_ADDRESS: must be host:port, got an empty value");
    }
    if (tlsCertPath.isEmpty() != tlsKeyPath.isEmpty()) {
      throw new IllegalArgumentException(
          "TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY: set both for mTLS, or neither");
    }
    if (taskQueue.isBlank()) {
      throw new IllegalArgumentException("RUNBOOKS_TASK_QUEUE: must not be empty");
    }
    for (String path : new String[] {tlsCertPath, tlsKeyPath, tlsCaPath}) {
      if (!path.isEmpty() && !Files.isReadable(Path.of(path))) {
        throw new IllegalArgumentException("TLS file " + path + ": not readable on this machine");
      }
    }
  }

  public boolean tls() {
    return !tlsCertPath.isEmpty() || !tlsCaPath.isEmpty() || !apiKey.isEmpty();
  }

  public static TemporalSettings fromEnvironment() {
    return fromMap(System.getenv());
  }

  public static TemporalSettings fromMap(Map<String, String> env) {
    return new TemporalSettings(
        env.getOrDefault("TEMPORAL_ADDRESS", DEFAULT_ADDRESS),
        env.getOrDefault("TEMPORAL_NAMESPACE", DEFAULT_NAMESPACE),
        env.getOrDefault("TEMPORAL_TLS_CERT", ""),
        env.getOrDefault("TEMPORAL_TLS_KEY", ""),
        env.getOrDefault("TEMPORAL_TLS_CA", ""),
        env.getOrDefault("TEMPORAL_API_KEY", ""),
        env.getOrDefault("RUNBOOKS_TASK_QUEUE", Runbooks.TASK_QUEUE));
  }

  /** The same settings without the API key, fit for a log line. */
  @Override
  public String toString() {
    return "Temporal " + address + " namespace " + namespace + (tls() ? " (TLS)" : "") + " task queue " + taskQueue;
  }
}
