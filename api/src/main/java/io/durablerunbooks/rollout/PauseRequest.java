package io.durablerunbooks.rollout;

/**
 * Pause or resume of a rollout, as {@code runbook pause} and {@code runbook resume} send it.
 *
 * @param by who asks; recorded in the report
 * @param comment why; may be empty
 */
public record PauseRequest(String by, String comment) {}
