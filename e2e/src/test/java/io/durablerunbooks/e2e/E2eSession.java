package io.durablerunbooks.e2e;

import io.durablerunbooks.temporal.TemporalClients;
import io.durablerunbooks.temporal.TemporalSettings;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What an end-to-end test class runs against: the local stack (required up), a Temporal client,
 * and usually a worker of its own on a task queue no other test class polls, with the CLI aimed
 * at that queue.
 */
final class E2eSession implements AutoCloseable {

  private final String queue;
  private final WorkflowServiceStubs stubs;
  private final TemporalSettings settings;
  private final WorkflowClient temporal;
  private final Optional<WorkerProcess> worker;

  private E2eSession(String queue, Optional<Path> workerLog) throws Exception {
    Stack.requireUp();
    this.queue = queue;
    this.settings = TemporalSettings.fromMap(Map.of("TEMPORAL_ADDRESS", Stack.TEMPORAL, "RUNBOOKS_TASK_QUEUE", queue));
    this.stubs = TemporalClients.serviceStubs(settings);
    this.temporal = TemporalClients.workflowClient(stubs, settings);
    try {
      this.worker = workerLog.isPresent() ? Optional.of(WorkerProcess.start(queue, workerLog.get())) : Optional.empty();
    } catch (Exception | Error e) {
      stubs.shutdown();
      throw e;
    }
  }

  /** A worker of the test's own, logging to {@code workerLog}. */
  static E2eSession withWorker(String queue, Path workerLog) throws Exception {
    return new E2eSession(queue, Optional.of(workerLog));
  }

  /** For a test that starts and kills its workers itself. */
  static E2eSession withoutWorker(String queue) throws Exception {
    return new E2eSession(queue, Optional.empty());
  }

  Cli cli() {
    return new Cli(queue);
  }

  WorkflowClient temporal() {
    return temporal;
  }

  WorkflowServiceStubs stubs() {
    return stubs;
  }

  ScheduleClient schedules() {
    return TemporalClients.scheduleClient(stubs, settings);
  }

  WorkerProcess worker() {
    return worker.orElseThrow(() -> new IllegalStateException("this session was opened without a worker"));
  }

  /**
   * The run's history as its protobuf bytes, which hold every payload verbatim (the JSON form
   * would hide them in base64): what a search for a leaked secret must look through.
   */
  String historyBytes(String workflowId) {
    return new String(temporal.fetchHistory(workflowId).getHistory().toByteArray(), StandardCharsets.UTF_8);
  }

  /**
   * The highest attempt number any activity of a type reached in a run (2 or more: it was retried),
   * read from its history.
   */
  int highestAttempt(String workflowId, String activityType) {
    Map<Long, String> scheduled = new java.util.HashMap<>();
    int attempt = 0;
    for (HistoryEvent e : temporal.fetchHistory(workflowId).getEvents()) {
      if (e.hasActivityTaskScheduledEventAttributes()) {
        scheduled.put(e.getEventId(), e.getActivityTaskScheduledEventAttributes().getActivityType().getName());
      } else if (e.hasActivityTaskStartedEventAttributes()
          && activityType.equals(scheduled.get(e.getActivityTaskStartedEventAttributes().getScheduledEventId()))) {
        attempt = Math.max(attempt, e.getActivityTaskStartedEventAttributes().getAttempt());
      }
    }
    return attempt;
  }

  @Override
  public void close() throws InterruptedException {
    try {
      if (worker.isPresent()) {
        worker.get().close();
      }
    } finally {
      stubs.shutdown();
    }
  }
}
