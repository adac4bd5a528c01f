package io.durablerunbooks.definition;

import java.util.Objects;

/**
 * One problem in a runbook file.
 *
 * @param path the field, dotted with list indexes ({@code smoke.queries[0].sql}); empty when the
 *     problem is the document itself (malformed YAML, not a mapping)
 * @param message what is wrong and how to fix it; never a secret's value
 */
public record FieldError(String path, String message) {

  public FieldError {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(message, "message");
  }

  /** {@code path: message}, or the message alone for the document itself. */
  @Override
  public String toString() {
    return path.isEmpty() ? message : path + ": " + message;
  }
}
