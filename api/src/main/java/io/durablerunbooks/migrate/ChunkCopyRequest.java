package io.durablerunbooks.migrate;

/** One range of one table to copy, replacing whatever an earlier attempt left of it. */
public record ChunkCopyRequest(MigrateSpec spec, TablePlan table, KeyRange range) {}
