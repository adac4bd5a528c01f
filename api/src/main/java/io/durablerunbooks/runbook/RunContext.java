package io.durablerunbooks.runbook;

/**
 * Who started a run and how. The initiator is asserted by the CLI; see the trust model in the
 * README: the Temporal server's authorization decides who may start or signal at all.
 */
public record RunContext(String initiator, boolean dryRun) {

  public static final String SCHEDULER = "scheduler";
}
