package io.durablerunbooks.cutover;

import java.util.List;

/**
 * The end-to-end checks through the application.
 *
 * @param checks one line per check with what it measured
 */
public record AppCheckResult(Engine engine, List<String> checks, long millis) {

  public AppCheckResult {
    checks = List.copyOf(checks);
  }
}
