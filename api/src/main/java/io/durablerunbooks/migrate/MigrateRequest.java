package io.durablerunbooks.migrate;

import io.durablerunbooks.runbook.RunContext;

/** Input of the migrate-data workflow. */
public record MigrateRequest(RunContext context, MigrateSpec spec) {}
