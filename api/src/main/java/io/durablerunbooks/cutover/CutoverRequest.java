package io.durablerunbooks.cutover;

import io.durablerunbooks.runbook.RunContext;

/** Input of the cutover workflow. */
public record CutoverRequest(RunContext context, CutoverSpec spec) {}
