package io.durablerunbooks.cutover;

import java.util.Map;

/**
 * What copying PostgreSQL's writes back to MySQL did.
 *
 * @param upserted per table, rows written to MySQL as PostgreSQL has them
 * @param deleted per table, rows deleted from MySQL because PostgreSQL deleted them
 */
public record CopyBackResult(Map<String, Long> upserted, Map<String, Long> deleted, long millis) {

  public CopyBackResult {
    upserted = Map.copyOf(upserted);
    deleted = Map.copyOf(deleted);
  }

  public long rows() {
    return upserted.values().stream().mapToLong(Long::longValue).sum() + deleted.values().stream().mapToLong(Long::longValue).sum();
  }
}
