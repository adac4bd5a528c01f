package io.durablerunbooks.migrate;

/**
 * One table to bring up to date with the source.
 *
 * @param since the source's UTC time before the copy began (see {@link SchemaPlan#sourceTime()})
 */
public record SyncRequest(MigrateSpec spec, TablePlan table, String since) {}
