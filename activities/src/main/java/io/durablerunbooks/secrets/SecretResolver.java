package io.durablerunbooks.secrets;

import io.durablerunbooks.activities.FailureTypes;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Turns secret references into values on the worker, at the moment a step needs them. Failures name
 * the field and the reference and say how to fix it; they never carry the value or any part of it.
 */
public final class SecretResolver {

  private final Map<String, String> environment;

  /** @param environment the worker's environment variables, as {@link System#getenv()} */
  public SecretResolver(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
  }

  public static SecretResolver fromEnvironment() {
    return new SecretResolver(System.getenv());
  }

  /**
   * @param field where the reference was written, e.g. {@code database.password}, for the message
   * @throws ApplicationFailure non-retryable {@code SecretNotFound} when the variable is unset or
   *     empty, or the file cannot be read or is empty
   */
  public String resolve(SecretRef ref, String field) {
    Objects.requireNonNull(ref, "ref");
    Objects.requireNonNull(field, "field");
    return switch (ref.source()) {
      case "env" -> fromEnvironment(ref, field);
      case "file" -> fromFile(ref, field);
      default -> throw new IllegalStateException("SecretRef admitted source " + ref.source());
    };
  }

  /**
   * A value that may be written either as a reference or as a literal (a webhook URL): references
   * are resolved, anything else is returned as written.
   */
  public String expand(String referenceOrLiteral, String field) {
    Objects.requireNonNull(referenceOrLiteral, field);
    return SecretRef.isReference(referenceOrLiteral)
        ? resolve(SecretRef.of(referenceOrLiteral), field)
        : referenceOrLiteral;
  }

  /** An environment variable of the worker that is not a secret (PATH, tool locations). */
  public String variable(String name, String fallback) {
    String value = environment.get(name);
    return value == null || value.isEmpty() ? fallback : value;
  }

  private String fromEnvironment(SecretRef ref, String field) {
    String value = environment.get(ref.locator());
    if (value == null) {
      throw notFound(
          field,
          ref,
          "is not set in the worker's environment; set "
              + ref.locator()
              + " for the worker process and restart it");
    }
    if (value.isEmpty()) {
      throw notFound(
          field, ref, "is empty in the worker's environment; give " + ref.locator() + " the secret's value");
    }
    return value;
  }

  private String fromFile(SecretRef ref, String field) {
    Path path = Path.of(ref.locator());
    String value;
    try {
      value = stripLineEnd(Files.readString(path, StandardCharsets.UTF_8));
    } catch (IOException | SecurityException e) {
      throw notFound(
          field,
          ref,
          "cannot be read on the worker ("
              + e.getClass().getSimpleName()
              + "); create "
              + path
              + " readable by the worker's user, holding only the secret");
    }
    if (value.isEmpty()) {
      throw notFound(field, ref, "points to an empty file; write the secret into " + path);
    }
    return value;
  }

  /** Secret files are usually written with a trailing newline that is not part of the secret. */
  private static String stripLineEnd(String text) {
    int end = text.length();
    while (end > 0 && (text.charAt(end - 1) == '\n' || text.charAt(end - 1) == '\r')) {
      end--;
    }
    return text.substring(0, end);
  }

  private static ApplicationFailure notFound(String field, SecretRef ref, String problem) {
    return ApplicationFailure.newNonRetryableFailure(
        field + ": secret " + ref.reference() + " " + problem, FailureTypes.SECRET_NOT_FOUND);
  }
}
