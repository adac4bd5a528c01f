package io.durablerunbooks.runbook;

import java.util.Locale;

/**
 * The header every runbook file shares. {@code name} is the stable id from which workflow ids
 * derive, so two runs of one runbook cannot overlap.
 *
 * @param webhook Slack-compatible webhook URL or a secret reference to one; empty for none
 */
public record RunbookHeader(
    RunbookKind kind,
    String name,
    String environment,
    String description,
    ApprovalPolicy approval,
    String webhook) {

  public boolean production() {
    return isProduction(environment);
  }

  /** Any environment whose name starts with "prod" (production, prod-eu, ...) is production. */
  public static boolean isProduction(String environment) {
    return environment.toLowerCase(Locale.ROOT).startsWith("prod");
  }

  /** The workflow id of a run started by hand: one run of a runbook at a time. */
  public String workflowId() {
    return kind.id() + "/" + name;
  }

  public RunbookHeader withApproval(ApprovalPolicy policy) {
    return new RunbookHeader(kind, name, environment, description, policy, webhook);
  }

  public RunbookHeader as(RunbookKind otherKind, String otherName) {
    return new RunbookHeader(otherKind, otherName, environment, description, approval, webhook);
  }
}
