package io.durablerunbooks.deploy;

import io.durablerunbooks.activities.FailureTypes;
import io.durablerunbooks.activities.Heartbeat;
import io.durablerunbooks.secrets.SecretResolver;
import io.durablerunbooks.smoke.AppSmokeChecks;
import io.durablerunbooks.smoke.AppSmokeResult;
import io.durablerunbooks.smoke.AppSmokeSpec;
import io.durablerunbooks.ssh.CommandResult;
import io.durablerunbooks.ssh.SshConnections;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

/** The deploy steps on one host: each opens its own SSH connection, used for all its commands. */
public final class DeployActivitiesImpl implements DeployActivities {

  static final String HOOK_FAILED = "HookFailed";
  static final String SMOKE_CHECK_FAILED = "SmokeCheckFailed";
  static final String RELEASE_MARKED_BAD = "ReleaseMarkedBad";

  /** How long a restarted application may take to answer its health check before the checks run. */
  private static final Duration HEALTHY_WITHIN = Duration.ofSeconds(30);
  private static final Duration HEALTH_POLL = Duration.ofMillis(250);

  private final SecretResolver secrets;
  private final AppSmokeChecks smoke;

  public DeployActivitiesImpl(SecretResolver secrets, AppSmokeChecks smoke) {
    this.secrets = Objects.requireNonNull(secrets, "secrets");
    this.smoke = Objects.requireNonNull(smoke, "smoke");
  }

  @Override
  public String readCurrentRelease(HostStep step) {
    return onHost(step, releases -> {
      HostReleaseState state = releases.inspect();
      String mark = state.bad().get(step.release());
      if (mark != null) {
        throw ApplicationFailure.newNonRetryableFailure(
            step.target().name() + ": release " + step.release() + " was " + mark + "; deploy a new release id, or remove "
                + step.target().root() + "/release-marks/" + step.release() + ".bad on every host if the mark was a mistake",
            RELEASE_MARKED_BAD);
      }
      return state.current();
    });
  }

  @Override
  public HostReleaseState inspectReleases(HostStep step) {
    return onHost(step, HostReleases::inspect);
  }

  @Override
  public void markReleaseBad(HostStep step, String reason) {
    change(step, releases -> releases.markBad(step.release(), step.owner(), reason));
  }

  @Override
  public void lockHost(HostStep step) {
    change(step, releases -> releases.lock(step.owner()));
  }

  @Override
  public boolean stageRelease(HostStep step, Artifact artifact) {
    if (artifact instanceof Artifact.WorkerFile file && !Files.isRegularFile(Path.of(file.path()))) {
      throw ApplicationFailure.newNonRetryableFailure(
          "artifact: " + file.path() + " is not a file on the worker; build the release archive (.tar.gz) first",
          FailureTypes.INVALID_INPUT);
    }
    // An upload, a download or a clone may take longer than the heartbeat timeout of a transfer.
    return withConnections(step, (connections, releases) -> {
      try (Heartbeat heartbeat =
          Heartbeat.start(() -> "staging " + step.release() + " on " + step.target().name(), connections::close)) {
        boolean staged = releases.stage(step.release(), artifact);
        heartbeat.check();
        return staged;
      }
    });
  }

  @Override
  public CommandResult install(HostStep step) {
    return hook("install", step);
  }

  @Override
  public CommandResult migrateDryRun(HostStep step) {
    return hook("migrate dry run", step);
  }

  @Override
  public CommandResult migrateApply(HostStep step) {
    return hook("migrate", step);
  }

  @Override
  public CommandResult restart(HostStep step) {
    return hook("restart", step);
  }

  @Override
  public void switchRelease(HostStep step) {
    change(step, releases -> releases.switchTo(step.release()));
  }

  @Override
  public AppSmokeResult smokeCheck(HostStep step, AppSmokeSpec spec) {
    String url = step.target().appUrl();
    try (Heartbeat heartbeat = Heartbeat.start(() -> "smoke checks of " + url, () -> {})) {
      AppSmokeSpec healthOnly =
          new AppSmokeSpec(spec.health(), "", "", "", "", "", spec.latencyLimit(), 1, "", spec.timeout());
      long deadline = System.nanoTime() + HEALTHY_WITHIN.toNanos();
      while (!smoke.check(url, healthOnly).passed() && System.nanoTime() < deadline) {
        heartbeat.check();
        Thread.sleep(HEALTH_POLL.toMillis());
      }
      AppSmokeResult result = smoke.check(url, spec);
      if (!result.passed()) {
        throw ApplicationFailure.newNonRetryableFailure(
            step.target().name() + " failed its smoke checks at " + url + ": " + result.failures(), SMOKE_CHECK_FAILED, result);
      }
      return result;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during the smoke checks of " + url, e);
    }
  }

  @Override
  public void unlockHost(HostStep step) {
    change(step, releases -> releases.unlock(step.owner()));
  }

  @Override
  public List<String> pruneReleases(HostStep step, int keep) {
    return onHost(step, releases -> releases.prune(keep));
  }

  private CommandResult hook(String what, HostStep step) {
    if (step.script().isEmpty()) {
      throw new IllegalArgumentException("the " + what + " hook is empty; the workflow skips empty hooks");
    }
    CommandResult result =
        withConnections(step, (connections, releases) -> {
          long started = System.nanoTime();
          try (Heartbeat heartbeat =
              Heartbeat.start(
                  () -> what + " on " + step.target().name() + " for " + (System.nanoTime() - started) / 1_000_000_000 + " s",
                  connections::close)) {
            CommandResult r = releases.hook(step.script(), step.release(), step.timeout());
            heartbeat.check();
            return r;
          }
        });
    if (!result.succeeded()) {
      throw ApplicationFailure.newNonRetryableFailure(
          step.target().name() + ": the " + what + " hook exited " + result.exitStatus() + ": "
              + lastLines(result.stderr().isBlank() ? result.stdout() : result.stderr()),
          HOOK_FAILED,
          result);
    }
    return result;
  }

  private void change(HostStep step, Consumer<HostReleases> action) {
    onHost(step, releases -> {
      action.accept(releases);
      return null;
    });
  }

  private <T> T onHost(HostStep step, Function<HostReleases, T> action) {
    return withConnections(step, (connections, releases) -> action.apply(releases));
  }

  private interface HostAction<T> {
    T apply(SshConnections connections, HostReleases releases);
  }

  private <T> T withConnections(HostStep step, HostAction<T> action) {
    HostTarget target = step.target();
    try (SshConnections connections = new SshConnections(secrets)) {
      HostReleases releases = new HostReleases(connections.to(target.host(), target.access()), target);
      return action.apply(connections, releases);
    }
  }

  private static String lastLines(String output) {
    String[] lines = output.strip().split("\n");
    int from = Math.max(0, lines.length - 5);
    return String.join(" | ", List.of(lines).subList(from, lines.length));
  }
}
