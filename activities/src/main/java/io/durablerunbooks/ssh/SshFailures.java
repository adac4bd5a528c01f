package io.durablerunbooks.ssh;

import com.jcraft.jsch.JSchChangedHostKeyException;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.JSchHostKeyException;
import com.jcraft.jsch.JSchUnknownHostKeyException;
import io.temporal.failure.ApplicationFailure;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;

/**
 * Turns JSch's exceptions into failures an operator can act on: a host key that is unknown or
 * changed, or a key the host refuses, is non-retryable (a retry cannot fix it, and retrying a
 * changed host key would only knock again at a possible impostor); an unreachable host is retried.
 * Also the failure of one of our own scripts on a host, the same for every runbook.
 */
public final class SshFailures {

  static final String HOST_KEY_UNKNOWN = "SshHostKeyUnknown";
  static final String HOST_KEY_CHANGED = "SshHostKeyChanged";
  static final String AUTHENTICATION_FAILED = "SshAuthenticationFailed";
  static final String INVALID_KEY = "SshInvalidKey";
  static final String UNREACHABLE = "SshUnreachable";
  static final String CONNECTION_LOST = "SshConnectionLost";
  static final String COMMAND_TIMED_OUT = "SshCommandTimedOut";
  static final String TRANSFER_FAILED = "SshTransferFailed";
  public static final String REMOTE_SCRIPT_FAILED = "RemoteScriptFailed";

  private SshFailures() {}

  /**
   * @param presented the host key the server showed, as {@code ssh-ed25519 SHA256:...}, or empty
   */
  static ApplicationFailure connecting(SshHost host, String knownHosts, String presented, JSchException e) {
    String shown = presented.isEmpty() ? "" : " It presented " + presented + ".";
    if (e instanceof JSchUnknownHostKeyException) {
      return ApplicationFailure.newNonRetryableFailure(
          "ssh " + host.describe() + ": its host key is not in " + knownHosts + "." + shown
              + " Check the fingerprint with the host's owner, then add the key, e.g. ssh-keyscan -p "
              + host.port() + " " + host.address() + " >> " + knownHosts,
          HOST_KEY_UNKNOWN);
    }
    if (e instanceof JSchChangedHostKeyException) {
      return ApplicationFailure.newNonRetryableFailure(
          "ssh " + host.describe() + ": the host key differs from the one in " + knownHosts + "." + shown
              + " Someone may be impersonating the host, or it was reinstalled; nothing was sent to it."
              + " Find out which before you replace the line for " + host.knownHostsName(),
          HOST_KEY_CHANGED);
    }
    if (e instanceof JSchHostKeyException) {
      return ApplicationFailure.newNonRetryableFailure(
          "ssh " + host.describe() + ": host key refused (" + e.getMessage() + ") by " + knownHosts, HOST_KEY_CHANGED);
    }
    String message = String.valueOf(e.getMessage());
    if (message.startsWith("Auth fail") || message.startsWith("Auth cancel") || message.startsWith("USERAUTH fail")) {
      return ApplicationFailure.newNonRetryableFailure(
          "ssh " + host.describe() + ": the host refused the key (" + message + "); add its public key to "
              + host.user() + "'s authorized_keys on " + host.address() + ", or fix ssh.user",
          AUTHENTICATION_FAILED);
    }
    Throwable cause = e.getCause();
    if (cause instanceof UnknownHostException) {
      return ApplicationFailure.newNonRetryableFailure(
          "ssh " + host.describe() + ": no such host name '" + host.address() + "'; fix the inventory", UNREACHABLE);
    }
    if (cause instanceof ConnectException || cause instanceof NoRouteToHostException
        || cause instanceof SocketTimeoutException || message.contains("timeout")) {
      return ApplicationFailure.newFailure(
          "ssh " + host.describe() + ": cannot connect (" + describe(cause == null ? e : cause) + "); retrying",
          UNREACHABLE);
    }
    return ApplicationFailure.newFailure(
        "ssh " + host.describe() + ": " + describe(e) + "; retrying", CONNECTION_LOST);
  }

  static String describe(Throwable e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  /**
   * Fails, retryably, when one of our own scripts on a host exited non-zero: the host's state was
   * not what the script expected (a full disk, a permission), which a retry may find mended.
   *
   * @param what what the script was doing, e.g. {@code switch current under /srv/shop}
   */
  public static void requireSuccess(String host, String what, CommandResult r) {
    if (!r.succeeded()) {
      throw ApplicationFailure.newFailure(
          host + ": could not " + what + " (exit " + r.exitStatus() + "): "
              + (r.stderr().isBlank() ? r.stdout().strip() : r.stderr().strip()),
          REMOTE_SCRIPT_FAILED);
    }
  }
}
