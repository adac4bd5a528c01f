package io.durablerunbooks.rollout;

import io.durablerunbooks.runbook.RunContext;

/** Input of the rollout workflow. */
public record RolloutRequest(RunContext context, RolloutSpec spec) {}
