package io.durablerunbooks.smoke;

import java.util.Objects;

/**
 * One smoke check's verdict with what it measured, so a report says "HTTP 500 in 12 ms", not just
 * "failed".
 *
 * @param name {@code health}, {@code frontPage}, {@code database}, {@code staticAsset},
 *     {@code databaseRead} or {@code latency}
 * @param verdict passed, failed, or skipped (no path configured)
 * @param measured what was seen, e.g. {@code HTTP 200, 1843 bytes in 14 ms}
 * @param expected what passing needs, e.g. {@code HTTP 200 containing "v2"}
 */
public record AppCheck(String name, Verdict verdict, String measured, String expected) {

  public enum Verdict {
    PASSED,
    FAILED,
    SKIPPED
  }

  public AppCheck {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(verdict, "verdict");
    Objects.requireNonNull(measured, "measured");
    Objects.requireNonNull(expected, "expected");
  }

  /** {@code latency: 3412 ms (limit 3000 ms)}: how a report or failure names the check. */
  public String describe() {
    return name + ": " + measured + (verdict == Verdict.FAILED ? " (expected " + expected + ")" : "");
  }
}
