package io.durablerunbooks.runbook;

import io.temporal.client.WorkflowClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Records the history of a finished test run for the replay tests, when asked to with
 * {@code -Drecord.histories=true}: recorded histories are committed, and replayed against the
 * current workflow code on every build to catch non-deterministic changes.
 */
public final class Histories {

  public static final Path DIR = Path.of("src/test/resources/histories");

  private Histories() {}

  /** Saved as {@code <workflowId>.json}: replay needs the original id, child ids derive from it. */
  public static void recordIfAsked(WorkflowClient client, String workflowId) {
    if (!Boolean.getBoolean("record.histories")) {
      return;
    }
    try {
      Files.createDirectories(DIR);
      Files.writeString(DIR.resolve(workflowId + ".json"), client.fetchHistory(workflowId).toJson(true));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
