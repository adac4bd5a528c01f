package io.durablerunbooks.definition;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as runbook files and the CLI write them: {@code 100ms}, {@code 30s}, {@code 15m},
 * {@code 1h}, {@code 2d}, combined ({@code 1h30m}), or ISO-8601 ({@code PT1H}, {@code P1D}).
 */
public final class Durations {

  static final String EXPECTED = "expected a duration like 30s, 15m, 1h, 2d or PT1H";

  private static final Pattern ISO = Pattern.compile("[-+]?[Pp].*");
  private static final Pattern WHOLE = Pattern.compile("(\\d+(ms|[dhms]))+");
  private static final Pattern PART = Pattern.compile("(\\d+)(ms|[dhms])");

  private Durations() {}

  /**
   * @throws IllegalArgumentException saying what a duration looks like, when {@code text} is not
   *     one or is negative
   */
  public static Duration parse(String text) {
    String t = text.strip();
    Duration d = ISO.matcher(t).matches() ? iso(t) : shorthand(t);
    if (d.isNegative()) {
      throw new IllegalArgumentException("expected a duration that is not negative");
    }
    return d;
  }

  /**
   * The duration as a file would write it, {@code 1h30m} or {@code 100ms}; in ISO-8601 when it
   * holds less than a millisecond.
   */
  public static String format(Duration d) {
    if (d.toNanosPart() % 1_000_000 != 0) {
      return d.toString();
    }
    if (d.isZero()) {
      return "0s";
    }
    StringBuilder text = new StringBuilder();
    append(text, d.toDaysPart(), "d");
    append(text, d.toHoursPart(), "h");
    append(text, d.toMinutesPart(), "m");
    append(text, d.toSecondsPart(), "s");
    append(text, d.toMillisPart(), "ms");
    return text.toString();
  }

  private static void append(StringBuilder text, long n, String unit) {
    if (n != 0) {
      text.append(n).append(unit);
    }
  }

  private static Duration iso(String text) {
    try {
      return Duration.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(EXPECTED, e);
    }
  }

  private static Duration shorthand(String text) {
    if (!WHOLE.matcher(text).matches()) {
      throw new IllegalArgumentException(EXPECTED);
    }
    try {
      Duration total = Duration.ZERO;
      Matcher m = PART.matcher(text);
      while (m.find()) {
        long n = Long.parseLong(m.group(1));
        total =
            total.plus(
                switch (m.group(2)) {
                  case "d" -> Duration.ofDays(n);
                  case "h" -> Duration.ofHours(n);
                  case "m" -> Duration.ofMinutes(n);
                  case "s" -> Duration.ofSeconds(n);
                  default -> Duration.ofMillis(n);
                });
      }
      return total;
    } catch (ArithmeticException | NumberFormatException e) {
      throw new IllegalArgumentException("expected a shorter duration", e);
    }
  }
}
