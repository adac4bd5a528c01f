package io.durablerunbooks.smoke;

import java.util.List;

/**
 * @param baseUrl the instance checked, e.g. {@code http://10.0.0.5:8080}
 * @param checks every check, in the order they ran
 */
public record AppSmokeResult(String baseUrl, List<AppCheck> checks) {

  public AppSmokeResult {
    checks = List.copyOf(checks);
  }

  public boolean passed() {
    return checks.stream().noneMatch(c -> c.verdict() == AppCheck.Verdict.FAILED);
  }

  /** The failed checks with their measured values, for a failure message; empty when all passed. */
  public String failures() {
    return String.join(
        "; ", checks.stream().filter(c -> c.verdict() == AppCheck.Verdict.FAILED).map(AppCheck::describe).toList());
  }
}
