package io.durablerunbooks.restore;

import io.durablerunbooks.postgres.PostgresConnection;

/**
 * Rename the target aside and the restored database into its place, in one transaction.
 *
 * @param previousDatabase the name the replaced database gets
 */
public record SwapRequest(
    PostgresConnection target, String scratchDatabase, String previousDatabase, boolean keepPrevious) {}
