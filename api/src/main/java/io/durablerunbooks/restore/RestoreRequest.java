package io.durablerunbooks.restore;

import io.durablerunbooks.runbook.RunContext;

public record RestoreRequest(RunContext context, RestoreSpec spec) {}
