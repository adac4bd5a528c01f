package io.durablerunbooks.definition;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A runbook file that cannot run, with every problem found in it, so one round of edits can fix
 * them all. The message is {@code <source>:} followed by one line per error, each indented by two
 * spaces.
 */
public final class InvalidRunbookException extends RuntimeException {

  private final String source;
  private final List<FieldError> errors;

  public InvalidRunbookException(String source, List<FieldError> errors) {
    super(message(source, errors));
    this.source = source;
    this.errors = List.copyOf(errors);
  }

  private static String message(String source, List<FieldError> errors) {
    Objects.requireNonNull(source, "source");
    if (errors.isEmpty()) {
      throw new IllegalArgumentException("an invalid runbook has at least one error");
    }
    return source
        + ":"
        + errors.stream().map(e -> "\n  " + e).collect(Collectors.joining());
  }

  /** The file name, or whatever the caller named the text it parsed. */
  public String source() {
    return source;
  }

  public List<FieldError> errors() {
    return errors;
  }
}
