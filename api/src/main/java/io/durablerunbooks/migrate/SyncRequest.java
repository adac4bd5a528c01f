package io.durablerunbooks.migrate;

/**
 * One table to bring up to date with the source.
 *
 * @param since the source's UTC time before the rows to look for changed (see {@link
 *     SchemaPlan#sourceTime()}, {@link SyncResult#sourceTime()})
 * @param everyColumn compare every column of every row, whatever the watermark, and re-check each
 *     repaired range at once: a row that still differs after being copied again is a defect of
 *     the copy, and fails the step. Runs started before the field existed read it as false.
 */
public record SyncRequest(MigrateSpec spec, TablePlan table, String since, boolean everyColumn) {

  public SyncRequest(MigrateSpec spec, TablePlan table, String since) {
    this(spec, table, since, false);
  }
}
