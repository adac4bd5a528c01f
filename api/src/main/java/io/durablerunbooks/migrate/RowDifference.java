package io.durablerunbooks.migrate;

/** One primary key whose row is not the same on both sides. */
public record RowDifference(String key, Kind kind) {

  public enum Kind {
    MISSING_IN_TARGET,
    EXTRA_IN_TARGET,
    DIFFERENT
  }

  @Override
  public String toString() {
    return key + " " + kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
  }
}
