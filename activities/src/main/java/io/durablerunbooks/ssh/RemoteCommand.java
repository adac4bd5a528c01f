package io.durablerunbooks.ssh;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A command line for a host, built so that values from runbook files stay values: as quoted words
 * of a program's arguments, or as environment variables of an operator's hook script.
 *
 * @param line what the remote shell is given
 */
public record RemoteCommand(String line) {

  private static final Pattern VARIABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  public RemoteCommand {
    Objects.requireNonNull(line, "line");
    if (line.isBlank()) {
      throw new IllegalArgumentException("a remote command cannot be empty");
    }
  }

  /** A program and its arguments, each a single word whatever it contains. */
  public static RemoteCommand of(String program, String... arguments) {
    return new RemoteCommand(ShellWords.join(prepend(program, arguments)));
  }

  /** A program and its arguments, each a single word whatever it contains. */
  public static RemoteCommand of(List<String> words) {
    if (words.isEmpty()) {
      throw new IllegalArgumentException("a remote command needs a program");
    }
    return new RemoteCommand(ShellWords.join(words));
  }

  /**
   * An operator's hook script (trusted: it is the runbook's own text) run by {@code sh -c}, with
   * the values it needs as environment variables, e.g. {@code RELEASE_DIR}. The values are never
   * pasted into the script, so a release name like {@code x; rm -rf ~} stays a name.
   *
   * @param workingDirectory where the script runs, or empty for the login directory
   */
  public static RemoteCommand script(String script, Map<String, String> environment, String workingDirectory) {
    Objects.requireNonNull(script, "script");
    StringBuilder line = new StringBuilder();
    if (!workingDirectory.isEmpty()) {
      line.append("cd ").append(ShellWords.quote(workingDirectory)).append(" && ");
    }
    line.append("env");
    environment.forEach(
        (name, value) -> {
          if (!VARIABLE.matcher(name).matches()) {
            throw new IllegalArgumentException("'" + name + "' is not an environment variable name");
          }
          line.append(' ').append(name).append('=').append(ShellWords.quote(value));
        });
    line.append(" sh -c ").append(ShellWords.quote(script));
    return new RemoteCommand(line.toString());
  }

  private static List<String> prepend(String first, String... rest) {
    return java.util.stream.Stream.concat(java.util.stream.Stream.of(first), java.util.Arrays.stream(rest)).toList();
  }

  @Override
  public String toString() {
    return line;
  }
}
