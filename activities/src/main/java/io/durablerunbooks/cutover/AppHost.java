package io.durablerunbooks.cutover;

import io.durablerunbooks.activities.FailureTypes;
import io.durablerunbooks.ssh.CommandResult;
import io.durablerunbooks.ssh.RemoteCommand;
import io.durablerunbooks.ssh.SshSession;
import io.temporal.failure.ApplicationFailure;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

/**
 * The application's host, over one SSH session: its environment file read and replaced (written
 * beside it, then renamed over it, so the application never reads half a file), the copy kept of
 * it before the cutover, and the reload. File contents travel by SFTP and stdout, never on a
 * command line: they hold the application's secrets.
 */
final class AppHost {

  static final String RELOAD_FAILED = "ReloadFailed";
  private static final Duration QUICK = Duration.ofSeconds(30);

  private final SshSession session;
  private final ApplicationSpec app;

  AppHost(SshSession session, ApplicationSpec app) {
    this.session = session;
    this.app = app;
  }

  EnvFile read() {
    return read(app.envFile()).orElseThrow(() -> ApplicationFailure.newNonRetryableFailure(
        "application.envFile: " + app.envFile() + " does not exist on " + app.host().describe() + " or is not readable by "
            + app.host().user(), FailureTypes.INVALID_INPUT));
  }

  /** The file kept before the cutover, when there is one. */
  Optional<EnvFile> kept() {
    return read(app.keptFile());
  }

  private Optional<EnvFile> read(String path) {
    CommandResult r = session.run(RemoteCommand.of("sh", "-c", "[ -r \"$1\" ] || exit 3; cat -- \"$1\"", "sh", path), QUICK);
    if (r.exitStatus() == 3) {
      return Optional.empty();
    }
    if (!r.succeeded() || r.truncated()) {
      throw ApplicationFailure.newNonRetryableFailure(
          "application.envFile: " + path + " on " + app.host().describe() + " could not be read whole ("
              + (r.truncated() ? "larger than 64 KiB" : "cat exited " + r.exitStatus()) + ")", FailureTypes.INVALID_INPUT);
    }
    return Optional.of(new EnvFile(r.stdout()));
  }

  /** Writes the file beside the target and renames it over it, keeping the target's mode. */
  void write(String path, EnvFile content, String modeOf) {
    String temporary = path + ".cutover-" + UUID.randomUUID().toString().substring(0, 8);
    session.upload(new ByteArrayInputStream(content.text().getBytes(StandardCharsets.UTF_8)), temporary, 0600);
    CommandResult r = session.run(
        RemoteCommand.of("sh", "-c", "chmod --reference=\"$3\" -- \"$1\" 2>/dev/null; mv -f -- \"$1\" \"$2\"", "sh", temporary, path, modeOf),
        QUICK);
    if (!r.succeeded()) {
      session.run(RemoteCommand.of("rm", "-f", "--", temporary), QUICK);
      throw ApplicationFailure.newFailure(
          "application.envFile: could not replace " + path + " on " + app.host().describe() + ": " + r.stderr().strip(),
          FailureTypes.INVALID_INPUT);
    }
  }

  /** Runs the reload; its run time in milliseconds. */
  long reload() {
    CommandResult r = session.run(RemoteCommand.script(app.reload(), java.util.Map.of(), ""), app.reloadTimeout());
    if (!r.succeeded()) {
      String output = (r.stderr().isBlank() ? r.stdout() : r.stderr()).strip();
      throw ApplicationFailure.newNonRetryableFailure(
          "application.reload exited " + r.exitStatus() + " on " + app.host().describe() + ": "
              + output.substring(Math.max(0, output.length() - 500)), RELOAD_FAILED);
    }
    return r.millis();
  }
}
