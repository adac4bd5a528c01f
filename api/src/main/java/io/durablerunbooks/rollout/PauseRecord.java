package io.durablerunbooks.rollout;

import java.time.Instant;

/**
 * A pause or a resume as the rollout accepted it.
 *
 * @param paused true for a pause, false for a resume
 * @param weight V2's share in percent held by the pause
 * @param at when the workflow accepted it (workflow time)
 */
public record PauseRecord(boolean paused, int weight, String by, String comment, Instant at) {}
