package io.durablerunbooks.deploy;

import io.durablerunbooks.runbook.RunContext;

/** Input of the deploy workflow. */
public record DeployRequest(RunContext context, DeploySpec spec) {}
