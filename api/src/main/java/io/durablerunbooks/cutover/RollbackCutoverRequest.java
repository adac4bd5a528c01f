package io.durablerunbooks.cutover;

import io.durablerunbooks.runbook.RunContext;

/** Input of the rollback-cutover workflow. */
public record RollbackCutoverRequest(RunContext context, RollbackCutoverSpec spec) {}
