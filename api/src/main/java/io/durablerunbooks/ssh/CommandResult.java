package io.durablerunbooks.ssh;

import java.util.Objects;

/**
 * What one remote command did, kept for the step's report. Output is capped: the last bytes of
 * each stream are kept, since that is where a failing command says why.
 *
 * @param host the host's name in the inventory
 * @param command the command line as sent (never holds a secret: secrets reach hosts in files)
 * @param exitStatus the command's exit status
 * @param stdout the end of its standard output
 * @param stderr the end of its standard error
 * @param truncated whether either stream was longer than what is kept
 * @param millis from sending the command to its exit
 */
public record CommandResult(
    String host, String command, int exitStatus, String stdout, String stderr, boolean truncated, long millis) {

  public CommandResult {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(command, "command");
    Objects.requireNonNull(stdout, "stdout");
    Objects.requireNonNull(stderr, "stderr");
  }

  public boolean succeeded() {
    return exitStatus == 0;
  }
}
