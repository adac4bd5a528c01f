package io.durablerunbooks.cutover;

import io.durablerunbooks.runbook.RunContext;

/** Input of the MySQL retention workflow. */
public record RetentionRequest(RunContext context, RetentionSpec spec) {}
