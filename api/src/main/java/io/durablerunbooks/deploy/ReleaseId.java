package io.durablerunbooks.deploy;

import java.util.regex.Pattern;

/** What a release may be called: it becomes a directory name under {@code releases/}. */
public final class ReleaseId {

  /** The rule, as messages state it. */
  public static final String RULE =
      "must be letters, digits, '.', '_', '+' or '-', start with a letter or digit, have no '..'"
          + " and be at most 100 characters, since it names a directory on every host";

  private static final Pattern FORM = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,99}");

  private ReleaseId() {}

  public static boolean isValid(String id) {
    return FORM.matcher(id).matches() && !id.contains("..");
  }

  /** @throws IllegalArgumentException naming the rule */
  public static String require(String id) {
    if (!isValid(id)) {
      throw new IllegalArgumentException("release '" + id + "' " + RULE);
    }
    return id;
  }
}
