package io.durablerunbooks.cutover;

import java.util.List;
import java.util.Map;

/**
 * The rows PostgreSQL's change log recorded since it was armed at the switch.
 *
 * @param armed whether the change log exists; without it, writes since the switch cannot be known
 * @param rows per table, the distinct rows written
 * @param listed the first of those, as {@code table key (insert|update|delete)}
 */
public record ChangeInventory(boolean armed, String armedAt, Map<String, Long> rows, List<String> listed) {

  public ChangeInventory {
    rows = Map.copyOf(rows);
    listed = List.copyOf(listed);
  }

  public long total() {
    return rows.values().stream().mapToLong(Long::longValue).sum();
  }
}
