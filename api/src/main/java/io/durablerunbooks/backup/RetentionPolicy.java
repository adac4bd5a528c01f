package io.durablerunbooks.backup;

/**
 * Keep the newest backup of each of the last {@code daily} days and of the last {@code weekly} ISO
 * weeks; the newest verified backup is kept whatever the policy says.
 */
public record RetentionPolicy(int daily, int weekly) {}
