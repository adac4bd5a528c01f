package io.durablerunbooks.cutover;

import io.durablerunbooks.runbook.RunContext;

/** Input of the post-cutover watch; {@code state} carries what earlier runs saw. */
public record WatchRequest(RunContext context, WatchSpec spec, WatchState state) {}
