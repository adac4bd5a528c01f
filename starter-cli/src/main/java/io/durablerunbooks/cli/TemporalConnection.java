package io.durablerunbooks.cli;

import io.durablerunbooks.temporal.TemporalClients;
import io.durablerunbooks.temporal.TemporalSettings;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowServiceException;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowTargetOptions;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** One command's connection to Temporal, checked before it is used so that a dead server is one clear line. */
final class TemporalConnection implements AutoCloseable {

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  /** A query is answered by a worker in milliseconds; without one, the SDK would retry for minutes. */
  static final Duration QUERY_TIMEOUT = Duration.ofSeconds(10);

  /** An Update waits for a worker to run the validator and the handler. */
  static final Duration UPDATE_TIMEOUT = Duration.ofSeconds(30);

  private static final ScheduledExecutorService DEADLINES =
      Executors.newSingleThreadScheduledExecutor(
          task -> {
            Thread thread = new Thread(task, "temporal-deadlines");
            thread.setDaemon(true);
            return thread;
          });

  private final TemporalSettings settings;
  private final WorkflowServiceStubs stubs;
  private final WorkflowClient workflows;

  private TemporalConnection(TemporalSettings settings, WorkflowServiceStubs stubs) {
    this.settings = settings;
    this.stubs = stubs;
    this.workflows = TemporalClients.workflowClient(stubs, settings);
  }

  static TemporalConnection open(TemporalSettings settings) {
    WorkflowServiceStubs stubs = TemporalClients.serviceStubs(settings);
    try {
      stubs.connect(CONNECT_TIMEOUT);
    } catch (RuntimeException e) {
      stubs.shutdownNow();
      boolean refused =
          e instanceof StatusRuntimeException s
              && s.getStatus().getCode() != Status.Code.UNAVAILABLE
              && s.getStatus().getCode() != Status.Code.DEADLINE_EXCEEDED;
      throw new CliException(
          ExitCodes.FAILED,
          refused
              ? ErrorMessages.describe(e, settings.address()).message()
              : ErrorMessages.unreachable(settings.address()));
    }
    return new TemporalConnection(settings, stubs);
  }

  TemporalSettings settings() {
    return settings;
  }

  WorkflowClient workflows() {
    return workflows;
  }

  /** One run of a workflow; an empty run id means its latest run. */
  WorkflowStub run(String workflowId, String runId) {
    WorkflowTargetOptions.Builder target = WorkflowTargetOptions.newBuilder().setWorkflowId(workflowId);
    if (!runId.isEmpty()) {
      target.setRunId(runId);
    }
    return workflows.newUntypedWorkflowStub(target.build());
  }

  ScheduleClient schedules() {
    return TemporalClients.scheduleClient(stubs, settings);
  }

  /**
   * Sends an Update to the latest run of a workflow and waits for its answer. A validator's refusal
   * comes back as the SDK's WorkflowUpdateException; no worker answering in time is one clear line.
   *
   * @param what how that line names what was sent, e.g. {@code GO}
   */
  <T> T update(String workflowId, String updateName, Class<T> answer, Object argument, String what) {
    WorkflowStub run = run(workflowId, "");
    try {
      return withDeadline(UPDATE_TIMEOUT, () -> run.update(updateName, answer, argument));
    } catch (WorkflowServiceException e) {
      if (!isDeadline(e)) {
        throw e;
      }
      throw new CliException(
          ExitCodes.FAILED,
          "no worker answered within "
              + Text.duration(UPDATE_TIMEOUT)
              + ": is one polling task queue "
              + settings.taskQueue()
              + "? The server may still deliver your "
              + what
              + " when one does: check with runbook watch "
              + workflowId);
    }
  }

  /**
   * Runs one call with a deadline on every RPC it makes: the SDK's own retries stop when it passes,
   * and the call fails with DEADLINE_EXCEEDED.
   */
  static <T> T withDeadline(Duration limit, Supplier<T> call) {
    Context.CancellableContext context =
        Context.current().withDeadlineAfter(limit.toMillis(), TimeUnit.MILLISECONDS, DEADLINES);
    Context previous = context.attach();
    try {
      return call.get();
    } finally {
      context.detach(previous);
      context.cancel(null);
    }
  }

  /** Whether a failure is a deadline set by {@link #withDeadline} passing. */
  static boolean isDeadline(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof StatusRuntimeException s && s.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() {
    stubs.shutdown();
    stubs.awaitTermination(2, TimeUnit.SECONDS);
  }
}
