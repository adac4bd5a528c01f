package io.durablerunbooks.migrate;

import java.util.List;

/**
 * The verdict on one table.
 *
 * @param ranges the key ranges checksummed on both sides
 * @param rangesByRow of those, the ranges whose checksums differed, so were compared row by row: a
 *     clean verdict with some means the data is equal but the checksum took its slow path (a range
 *     longer than MySQL's longest string, or read in another order)
 * @param differingRows how many primary keys differ in all; {@code differences} lists the first ones
 */
public record TableVerification(
    String table,
    long sourceRows,
    long targetRows,
    int ranges,
    int rangesByRow,
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
