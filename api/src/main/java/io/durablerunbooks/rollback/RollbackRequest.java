package io.durablerunbooks.rollback;

import io.durablerunbooks.runbook.RunContext;

/** Input of the rollback workflow. */
public record RollbackRequest(RunContext context, RollbackSpec spec) {}
