package io.durablerunbooks.migrate;

import java.util.List;

/**
 * The verdict on one table.
 *
 * @param ranges the key ranges checksummed on both sides
 * @param differingRows how many primary keys differ in all; {@code differences} lists the first ones
 */
public record TableVerification(
    String table,
    long sourceRows,
    long targetRows,
    int ranges,
    long differingRows,
    List<RowDifference> differences,
    long millis) {

  public TableVerification {
    differences = List.copyOf(differences);
  }

  public boolean clean() {
    return differingRows == 0 && sourceRows == targetRows;
  }
}
