package io.durablerunbooks.restoretest;

import io.durablerunbooks.runbook.RunContext;

public record RestoreTestRequest(RunContext context, RestoreTestSpec spec) {}
