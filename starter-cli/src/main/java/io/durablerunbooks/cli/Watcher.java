package io.durablerunbooks.cli;

import io.durablerunbooks.report.RunbookProgress;
import io.durablerunbooks.runbook.Runbooks;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowException;
import io.temporal.client.WorkflowStub;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Follows one run through the progress query until it closes; shared by watch and start --watch. */
final class Watcher {

  private static final Duration POLL = Duration.ofSeconds(1);

  private final TemporalConnection temporal;
  private final PrintWriter out;
  private final boolean interactive;
  private final Clock clock = Clock.systemUTC();

  Watcher(TemporalConnection temporal, PrintWriter out, boolean interactive) {
    this.temporal = temporal;
    this.out = out;
    this.interactive = interactive;
  }

  /** Blocks until the run closes, then prints its summary and returns the run's exit code. */
  int watch(String workflowId, String runId) {
    WorkflowStub run = temporal.run(workflowId, runId);
    Optional<RunbookProgress> last = Optional.empty();
    boolean toldNoAnswer = false;
    // A long poll on the run's result wakes the loop the moment the run closes, so a watched run
    // ends without waiting out a polling interval; how it closed is read below either way.
    CompletableFuture<?> closed = run.getResultAsync(Object.class).exceptionally(e -> null);
    while (run.describe().getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
      Optional<RunbookProgress> now = progress(run);
      if (now.isPresent()) {
        if (interactive) {
          out.print(WatchView.CLEAR + WatchView.screen(workflowId, now.get(), clock.instant()));
        } else {
          WatchView.changes(workflowId, last, now.get()).forEach(out::println);
        }
        last = now;
      } else if (!toldNoAnswer) {
        out.println(
            "no answer to the progress query yet: is a worker polling task queue "
                + temporal.settings().taskQueue()
                + "? (still watching)");
        toldNoAnswer = true;
      }
      out.flush();
      pause(closed);
    }
    RunResult result = RunResult.of(run);
    out.print(WatchView.summary(workflowId, result, last, clock.instant()));
    out.flush();
    return ExitCodes.forOutcome(result.outcome());
  }

  private static Optional<RunbookProgress> progress(WorkflowStub run) {
    try {
      return Optional.of(
          TemporalConnection.withDeadline(
              TemporalConnection.QUERY_TIMEOUT, () -> run.query(Runbooks.PROGRESS_QUERY, RunbookProgress.class)));
    } catch (WorkflowException e) {
      // No worker yet, or the run closed between the two calls: the next round tells which.
      return Optional.empty();
    }
  }

  private static void pause(CompletableFuture<?> closed) {
    try {
      if (closed.isDone()) {
        // The long poll gave up (server unreachable) while the run goes on: plain polling.
        Thread.sleep(POLL.toMillis());
      } else {
        closed.get(POLL.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (TimeoutException e) {
      // Still running: the loop shows the next progress.
    } catch (ExecutionException e) {
      throw new IllegalStateException("exceptionally() leaves no failure to report", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(ExitCodes.FAILED, "interrupted while watching; the run goes on");
    }
  }
}
