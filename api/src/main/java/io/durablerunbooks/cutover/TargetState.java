package io.durablerunbooks.cutover;

/**
 * What the preflight found on PostgreSQL.
 *
 * @param statStatementsLoaded pg_stat_statements is in shared_preload_libraries, so the
 *     extension records statements once created
 * @param statStatementsInstalled the extension exists in the database already
 */
public record TargetState(String version, boolean statStatementsLoaded, boolean statStatementsInstalled) {}
