package io.durablerunbooks.definition;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte sizes as runbook files write them: {@code 16MiB}, {@code 64MB}, {@code 1048576}. KB, MB, GB
 * and TB are powers of 1000, KiB, MiB, GiB and TiB powers of 1024, as on the S3 price list.
 */
public final class Sizes {

  static final String EXPECTED =
      "expected a size like 16MiB, 64MB or 1048576 (units B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)";

  private static final Pattern FORM = Pattern.compile("(\\d+)\\s*([A-Za-z]*)");
  private static final long KIB = 1024L;
  private static final Map<String, Long> UNITS =
      Map.of(
          "", 1L,
          "b", 1L,
          "kb", 1000L,
          "mb", 1000L * 1000,
          "gb", 1000L * 1000 * 1000,
          "tb", 1000L * 1000 * 1000 * 1000,
          "kib", KIB,
          "mib", KIB * KIB,
          "gib", KIB * KIB * KIB,
          "tib", KIB * KIB * KIB * KIB);

  private Sizes() {}

  /**
   * @throws IllegalArgumentException saying what a size looks like, when {@code text} is not one
   */
  public static long parse(String text) {
    Matcher m = FORM.matcher(text.strip());
    Long unit = m.matches() ? UNITS.get(m.group(2).toLowerCase(Locale.ROOT)) : null;
    if (unit == null) {
      throw new IllegalArgumentException(EXPECTED);
    }
    try {
      return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
    } catch (ArithmeticException | NumberFormatException e) {
      throw new IllegalArgumentException("expected a size below 8EiB", e);
    }
  }
}
