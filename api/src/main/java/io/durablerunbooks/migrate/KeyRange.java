package io.durablerunbooks.migrate;

/**
 * A range of a table's integer chunk key: keys greater than {@code after} and at most {@code upTo}.
 * An empty bound is open, so the first and last ranges also hold keys that appear later, and the
 * ranges of a table always cover all of it.
 */
public record KeyRange(String after, String upTo) {

  public static final KeyRange ALL = new KeyRange("", "");

  public boolean openBelow() {
    return after.isEmpty();
  }

  public boolean openAbove() {
    return upTo.isEmpty();
  }

  @Override
  public String toString() {
    return "(" + (openBelow() ? "-inf" : after) + ", " + (openAbove() ? "+inf" : upTo) + "]";
  }
}
