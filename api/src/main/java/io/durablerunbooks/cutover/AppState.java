package io.durablerunbooks.cutover;

/**
 * The application as the preflight found it.
 *
 * @param on the database its environment file names
 * @param health what its health check answered
 */
public record AppState(Engine on, String health) {}
