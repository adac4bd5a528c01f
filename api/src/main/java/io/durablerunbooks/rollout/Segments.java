package io.durablerunbooks.rollout;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Feature-flag style segments: requests whose header (or cookie) holds a listed value get their
 * own share of V2 for the whole rollout (beta users at 100 %, partners at 50 %, enterprise at 0 %),
 * through an nginx {@code map} in front of the weighted split; every other request follows the
 * step's weight. The last step (100 %) sends everyone to V2, a rollback everyone to V1.
 *
 * @param variable the nginx variable the segment is read from: {@code http_x_customer_tier} for
 *     the header X-Customer-Tier, {@code cookie_tier} for the cookie tier; empty for no segments
 */
public record Segments(String variable, List<Segment> segments) {

  public static final Segments NONE = new Segments("", List.of());

  private static final Pattern VARIABLE = Pattern.compile("(http|cookie)_[a-z0-9_]+");
  private static final Pattern VALUE = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  /** One value of the header or cookie and V2's share for it, 0 to 100. */
  public record Segment(String value, int weight) {

    public Segment {
      Objects.requireNonNull(value, "value");
      if (!VALUE.matcher(value).matches()) {
        throw new IllegalArgumentException("a segment value must be letters, digits, '.', '_' or '-', got '" + value + "'");
      }
      if (weight < 0 || weight > 100) {
        throw new IllegalArgumentException("a segment's weight must be 0 to 100, got " + weight);
      }
    }
  }

  public Segments {
    Objects.requireNonNull(variable, "variable");
    segments = List.copyOf(segments);
    if (variable.isEmpty() != segments.isEmpty()) {
      throw new IllegalArgumentException("segments need both the variable they are read from and at least one value");
    }
    if (!variable.isEmpty() && !VARIABLE.matcher(variable).matches()) {
      throw new IllegalArgumentException("the segment variable must be http_<header> or cookie_<name>, got '" + variable + "'");
    }
  }

  public boolean any() {
    return !segments.isEmpty();
  }
}
