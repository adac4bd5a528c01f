package io.durablerunbooks.migrate;

/**
 * What a delta sync changed in one table.
 *
 * @param ranges the key ranges compared
 * @param upserted rows inserted or updated from the source
 * @param deleted rows deleted because the source no longer has them
 * @param sourceRows the source's rows the comparison walked (0 when the key sets were found equal
 *     without a walk)
 * @param sourceTime the source's UTC clock when the sync began: the next sync of the table looks
 *     for rows changed since then. Empty in results recorded before the field existed.
 */
public record SyncResult(
    String table, int ranges, long upserted, long deleted, long millis, long sourceRows, String sourceTime) {

  public SyncResult {
    sourceTime = sourceTime == null ? "" : sourceTime;
  }

  public long changed() {
    return upserted + deleted;
  }
}
