package io.durablerunbooks.activities;

import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.client.ActivityCompletionException;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Heartbeats of a long step, sent every second from a thread of their own. Beating beside the work
 * rather than from it matters: pg_dump may wait on a lock and pg_restore builds indexes after it
 * has read its last byte, both without moving any data, and neither may be taken for a dead worker.
 * A beat is also where Temporal says the step is cancelled or no longer wanted (timed out, worker
 * shutting down): the ticker then runs {@code onStop} (kill the tool, drop the stream) so the step's
 * thread wakes up, and {@link #check()} rethrows the reason there.
 */
public final class Heartbeat implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Heartbeat.class);
  private static final long INTERVAL_MILLIS = 1_000;

  private final ScheduledExecutorService ticker;
  private volatile ActivityCompletionException stopped;

  private Heartbeat(ActivityExecutionContext context, Supplier<?> details, Runnable onStop) {
    String name = "heartbeat " + context.getInfo().getActivityType() + " " + context.getInfo().getActivityId();
    this.ticker = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named(name));
    ticker.scheduleWithFixedDelay(
        () -> beat(context, details, onStop), 0, INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
  }

  /**
   * Starts beating {@code details} for the activity running on this thread.
   *
   * @param onStop makes the step's thread give up its work when Temporal no longer wants it
   */
  public static Heartbeat start(Supplier<?> details, Runnable onStop) {
    return new Heartbeat(Activity.getExecutionContext(), details, onStop);
  }

  /**
   * Runs a short step with beats beside it: for steps given a heartbeat timeout so that a worker
   * lost in the middle is replaced within seconds, though the step itself has no progress to report.
   */
  public static <T> T during(String what, Supplier<T> step) {
    try (Heartbeat beat = start(() -> what, () -> {})) {
      return step.get();
    }
  }

  /** What the previous attempt of the activity running on this thread last reported. */
  public static <T> Optional<T> previousAttempt(Class<T> type) {
    return Activity.getExecutionContext().getHeartbeatDetails(type);
  }

  /** Throws why Temporal stopped the step, if it did. */
  public void check() {
    ActivityCompletionException reason = stopped;
    if (reason != null) {
      throw reason;
    }
  }

  @Override
  public void close() {
    ticker.shutdownNow();
  }

  private void beat(ActivityExecutionContext context, Supplier<?> details, Runnable onStop) {
    try {
      context.heartbeat(details.get());
    } catch (ActivityCompletionException e) {
      stopped = e;
      ticker.shutdown();
      log.info("{}: stopping the step ({})", context.getInfo().getActivityType(), e.getClass().getSimpleName());
      onStop.run();
    } catch (RuntimeException e) {
      // A beat that could not be sent is retried on the next tick; the server's heartbeat timeout
      // decides when too many were lost.
      log.warn("{}: heartbeat not sent: {}", context.getInfo().getActivityType(), e.toString());
    }
  }
}
