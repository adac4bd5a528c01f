package io.durablerunbooks.migrate;

/**
 * What a delta sync changed in one table.
 *
 * @param ranges the key ranges compared
 * @param upserted rows inserted or updated from the source
 * @param deleted rows deleted because the source no longer has them
 */
public record SyncResult(String table, int ranges, long upserted, long deleted, long millis) {}
