package io.durablerunbooks.ssh;

import com.jcraft.jsch.ChannelExec;
import com.jcraft.jsch.ChannelSftp;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Session;
import com.jcraft.jsch.SftpException;
import io.durablerunbooks.activities.DaemonThreads;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** One logged-in connection to a host; commands and transfers share it. */
public final class SshSession implements AutoCloseable {

  /** Kept of each output stream, per command: the end of a long build log is what matters. */
  static final int OUTPUT_KEPT = 64 * 1024;

  private static final Duration CHANNEL_OPEN = Duration.ofSeconds(15);

  /**
   * Runs the command in a process group of its own with empty stdin, and kills the whole group
   * when the channel closes before it exits: sshd forwards no signal, so on a timeout or a
   * cancelled step closing the channel is what stops the command and everything it started. The
   * watcher notices the close as the end of the channel's stdin, which this side never ends.
   */
  private static final String GUARD =
      "exec sh -c 'exec 3<&0; setsid sh -c \"$1\" </dev/null 3<&- & c=$!;"
          + " (cat <&3 >/dev/null; kill -KILL \"-$c\") >/dev/null 2>&1 & w=$!; exec 3<&-;"
          + " wait \"$c\"; s=$?; kill \"$w\" 2>/dev/null; exit \"$s\"' runbooks-guard ";
  private static final ScheduledExecutorService DEADLINES =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("ssh command deadline"));

  private final SshHost host;
  private final Session session;

  SshSession(SshHost host, Session session) {
    this.host = host;
    this.session = session;
  }

  public SshHost host() {
    return host;
  }

  public boolean isOpen() {
    return session.isConnected();
  }

  /**
   * Runs a command and waits for its exit, whatever the status: the caller decides what a
   * non-zero exit means. Stdin is empty, so a command that asks a question fails instead of
   * hanging; past the timeout the command and its children are killed.
   *
   * @throws ApplicationFailure {@code SshCommandTimedOut} past the timeout (the command is sent
   *     KILL), {@code SshConnectionLost} if the connection drops (both retryable)
   */
  public CommandResult run(RemoteCommand command, Duration timeout) {
    long started = System.nanoTime();
    OutputTail stdout = new OutputTail(OUTPUT_KEPT);
    OutputTail stderr = new OutputTail(OUTPUT_KEPT);
    ChannelExec channel = openExec(command);
    AtomicBoolean timedOut = new AtomicBoolean();
    ScheduledFuture<?> deadline =
        DEADLINES.schedule(
            () -> {
              timedOut.set(true);
              kill(channel);
            },
            timeout.toMillis(),
            TimeUnit.MILLISECONDS);
    try {
      channel.setErrStream(stderr, true);
      InputStream out = channel.getInputStream();
      channel.connect((int) CHANNEL_OPEN.toMillis());
      out.transferTo(stdout);
      while (!channel.isClosed() && !timedOut.get()) {
        Thread.sleep(1);
      }
    } catch (IOException | JSchException e) {
      if (!timedOut.get()) {
        throw ApplicationFailure.newFailure(
            "ssh " + host.describe() + ": connection lost while running " + command + " (" + SshFailures.describe(e)
                + "); retrying",
            SshFailures.CONNECTION_LOST);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill(channel);
      throw new IllegalStateException("interrupted while " + command + " ran on " + host.describe(), e);
    } finally {
      deadline.cancel(false);
      channel.disconnect();
    }
    if (timedOut.get()) {
      throw ApplicationFailure.newFailure(
          "ssh " + host.describe() + ": " + command + " still running after " + timeout.toSeconds() + " s; killed."
              + " Last output: " + lastLine(stderr.text(), stdout.text()),
          SshFailures.COMMAND_TIMED_OUT);
    }
    return new CommandResult(
        host.name(),
        command.line(),
        channel.getExitStatus(),
        stdout.text(),
        stderr.text(),
        stdout.truncated() || stderr.truncated(),
        (System.nanoTime() - started) / 1_000_000);
  }

  /**
   * Copies a stream to a file on the host under a temporary name, then renames it into place, so
   * the path never holds half a file.
   *
   * @param mode permissions of the file, e.g. {@code 0644}
   */
  public void upload(InputStream content, String remotePath, int mode) {
    String partial = remotePath + ".part-" + UUID.randomUUID().toString().substring(0, 8);
    ChannelSftp sftp = null;
    try {
      sftp = (ChannelSftp) session.openChannel("sftp");
      sftp.connect((int) CHANNEL_OPEN.toMillis());
      sftp.put(content, partial, ChannelSftp.OVERWRITE);
      sftp.chmod(mode, partial);
      sftp.rename(partial, remotePath);
    } catch (JSchException | SftpException e) {
      removeQuietly(sftp, partial);
      throw ApplicationFailure.newFailure(
          "ssh " + host.describe() + ": upload to " + remotePath + " failed (" + SshFailures.describe(e) + ")",
          SshFailures.TRANSFER_FAILED);
    } finally {
      if (sftp != null) {
        sftp.disconnect();
      }
    }
  }

  @Override
  public void close() {
    session.disconnect();
  }

  private ChannelExec openExec(RemoteCommand command) {
    try {
      ChannelExec channel = (ChannelExec) session.openChannel("exec");
      channel.setCommand(GUARD + ShellWords.quote(command.line()));
      return channel;
    } catch (JSchException e) {
      throw ApplicationFailure.newFailure(
          "ssh " + host.describe() + ": cannot open a channel (" + SshFailures.describe(e) + "); retrying",
          SshFailures.CONNECTION_LOST);
    }
  }

  private static void kill(ChannelExec channel) {
    try {
      channel.sendSignal("KILL");
    } catch (Exception e) {
      // The channel may be gone already; disconnecting below ends our side either way.
    }
    channel.disconnect();
  }

  private static void removeQuietly(ChannelSftp sftp, String path) {
    if (sftp == null || !sftp.isConnected()) {
      return;
    }
    try {
      sftp.rm(path);
    } catch (SftpException e) {
      // Nothing was written, or the connection is gone: there is nothing more to clean.
    }
  }

  private static String lastLine(String... outputs) {
    for (String output : outputs) {
      String trimmed = output.strip();
      if (!trimmed.isEmpty()) {
        return trimmed.substring(trimmed.lastIndexOf('\n') + 1);
      }
    }
    return "(none)";
  }
}
