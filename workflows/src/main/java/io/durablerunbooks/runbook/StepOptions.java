package io.durablerunbooks.runbook;

import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;

/**
 * Timeouts and retries by kind of step. Checks fail fast so bad input is reported in seconds;
 * long transfers heartbeat, so a worker killed mid-transfer is noticed within the heartbeat
 * timeout and the step is retried on another worker.
 */
public final class StepOptions {

  /** Heartbeat timeout of the steps where every second counts: the cutover's window and its rollback. */
  private static final Duration URGENT_HEARTBEAT = Duration.ofSeconds(5);

  private StepOptions() {}

  /** Preflight checks: a few quick attempts, then a clear failure. */
  public static ActivityOptions check() {
    return ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofMinutes(2))
        .setRetryOptions(retry(Duration.ofSeconds(1), Duration.ofSeconds(10), 4))
        .build();
  }

  /** Streams of data (dump, upload, read-back, restore): hours allowed, heartbeats required. */
  public static ActivityOptions transfer() {
    return ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofHours(12))
        .setHeartbeatTimeout(Duration.ofSeconds(20))
        .setRetryOptions(retry(Duration.ofSeconds(5), Duration.ofMinutes(2), 5))
        .build();
  }

  /** Small idempotent changes (manifest, rename, cleanup): retried patiently. */
  public static ActivityOptions change() {
    return ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofMinutes(5))
        .setRetryOptions(retry(Duration.ofSeconds(2), Duration.ofMinutes(1), 10))
        .build();
  }

  /**
   * Waiting for a lock another run holds: retried every half minute at most, for up to
   * {@code patience}, then the run fails naming the holder.
   */
  public static ActivityOptions waitForLock(Duration patience) {
    return ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofMinutes(2))
        .setScheduleToCloseTimeout(patience)
        .setRetryOptions(
            RetryOptions.newBuilder()
                .setInitialInterval(Duration.ofSeconds(2))
                .setBackoffCoefficient(1.5)
                .setMaximumInterval(Duration.ofSeconds(30))
                .build())
        .build();
  }

  /**
   * An operator's command on a host (build, migration, restart): it may run up to
   * {@code limit}; a failed command is not retried, a lost connection is, twice.
   */
  public static ActivityOptions remoteCommand(Duration limit) {
    return ActivityOptions.newBuilder()
        .setStartToCloseTimeout(limit.plusMinutes(1))
        .setHeartbeatTimeout(Duration.ofSeconds(30))
        .setRetryOptions(retry(Duration.ofSeconds(5), Duration.ofSeconds(30), 3))
        .build();
  }

  /**
   * A short step inside a cutover's write-unavailability window: retried at once and often, since
   * every second of backoff is a second the application cannot write. With a heartbeat timeout, so
   * a worker lost mid-step costs the window seconds, not the whole {@code limit}: every activity
   * called with these options must heartbeat (a short one through {@code Heartbeat.during}), or it
   * fails after that timeout.
   *
   * @param limit how long one attempt may run
   */
  public static ActivityOptions window(Duration limit) {
    return ActivityOptions.newBuilder()
        .setStartToCloseTimeout(limit)
        .setHeartbeatTimeout(URGENT_HEARTBEAT)
        .setRetryOptions(retry(Duration.ofMillis(200), Duration.ofSeconds(2), 6))
        .build();
  }

  /**
   * A step of an emergency rollback: with a window step's heartbeat timeout (its activities must
   * heartbeat too), so a lost worker is replaced within seconds, and retried patiently, since giving
   * up leaves the application down.
   */
  public static ActivityOptions rollback() {
    return ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofMinutes(5))
        .setHeartbeatTimeout(URGENT_HEARTBEAT)
        .setRetryOptions(retry(Duration.ofMillis(500), Duration.ofSeconds(30), 10))
        .build();
  }

  /**
   * A sync or verification inside the window: as {@link #window}, with an hour for one attempt; its
   * heartbeats carry the progress, so another worker resumes where a lost one stopped.
   */
  public static ActivityOptions windowTransfer() {
    return ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofHours(1))
        .setHeartbeatTimeout(URGENT_HEARTBEAT)
        .setRetryOptions(retry(Duration.ofMillis(200), Duration.ofSeconds(2), 6))
        .build();
  }

  /** Notifications: best effort, never holding the runbook up for long. */
  public static ActivityOptions notification() {
    return ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofSeconds(30))
        .setRetryOptions(retry(Duration.ofSeconds(2), Duration.ofSeconds(10), 3))
        .build();
  }

  private static RetryOptions retry(Duration initial, Duration max, int attempts) {
    return RetryOptions.newBuilder()
        .setInitialInterval(initial)
        .setBackoffCoefficient(2.0)
        .setMaximumInterval(max)
        .setMaximumAttempts(attempts)
        .build();
  }
}
