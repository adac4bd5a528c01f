package io.durablerunbooks.secrets;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A reference to a secret, such as {@code ${env:PGPASSWORD}} or {@code ${file:/run/secrets/pg}}.
 * Only the reference travels through workflow inputs and history; the value is resolved on the
 * worker, at the moment a step needs it.
 */
public record SecretRef(String reference) {

  private static final Pattern FORM = Pattern.compile("\\$\\{(env|file):([^}\\s]+)}");

  public SecretRef {
    Objects.requireNonNull(reference, "reference");
    if (!FORM.matcher(reference).matches()) {
      throw new IllegalArgumentException(
          "must be a secret reference like ${env:NAME} or ${file:/absolute/path}, got a value that is not one");
    }
  }

  @JsonCreator
  public static SecretRef of(String reference) {
    return new SecretRef(reference);
  }

  public static boolean isReference(String text) {
    return text != null && FORM.matcher(text).matches();
  }

  /** {@code env} or {@code file}. */
  public String source() {
    return parts().group(1);
  }

  /** The variable name or the file path. */
  public String locator() {
    return parts().group(2);
  }

  private Matcher parts() {
    Matcher m = FORM.matcher(reference);
    m.matches();
    return m;
  }

  @JsonValue
  @Override
  public String reference() {
    return reference;
  }

  @Override
  public String toString() {
    return reference;
  }
}
