package io.durablerunbooks.migrate;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;

/** The steps of a MySQL/MariaDB to PostgreSQL data migration; each name shows in the Temporal UI. */
@ActivityInterface
public interface MigrateActivities {

  /** How the comment of a table a migrate-data run created starts; the run's workflow id follows. */
  String TABLE_MARKER = "durable-runbooks migrate-data ";

  /**
   * Connects to both databases, reads the source schema from information_schema and converts it;
   * fails before any change with every table or column it cannot convert, and when a target table
   * already exists.
   */
  @ActivityMethod(name = "ConvertSchema")
  SchemaPlan convertSchema(MigrateSpec spec);

  /**
   * For a cutover of a finished copy: reads and converts the source schema like {@link
   * #convertSchema}, and requires every selected table to exist in the target, created by a
   * migrate-data run, with the converted columns. Fails before any change otherwise.
   */
  @ActivityMethod(name = "CheckCopiedSchema")
  SchemaPlan checkCopiedSchema(MigrateSpec spec);

  /** Creates the tables with their primary keys, in one transaction, marked as this run's. */
  @ActivityMethod(name = "CreateTables")
  void createTables(MigrateSpec spec, SchemaPlan plan, String runMarker);

  /** Splits a table into key ranges of about {@code copy.chunkRows} rows. */
  @ActivityMethod(name = "PlanChunks")
  List<KeyRange> planChunks(MigrateSpec spec, TablePlan table);

  /** Copies one range in one PostgreSQL transaction that first deletes what the range holds. */
  @ActivityMethod(name = "CopyChunk")
  ChunkCopied copyChunk(ChunkCopyRequest request);

  /** Secondary indexes, unique constraints, triggers and the identity's restart value. */
  @ActivityMethod(name = "BuildIndexes")
  void buildIndexes(MigrateSpec spec, TablePlan table);

  @ActivityMethod(name = "AddForeignKeys")
  void addForeignKeys(MigrateSpec spec, TablePlan table);

  /**
   * Brings a copied table up to date: rows changed since {@code since} by the table's watermark
   * column, then (or, without a watermark, instead) a range-by-range comparison whose differing keys
   * are upserted from the source or deleted. Each repair is one transaction, and replaying it
   * changes nothing more, so a retried attempt is harmless.
   */
  @ActivityMethod(name = "SyncTable")
  SyncResult syncTable(SyncRequest request);

  /**
   * Row counts and per-range checksums computed inside each database; differing ranges are
   * compared row by row to list the differing primary keys. Heartbeats the last range checked,
   * so a retried attempt continues from there.
   */
  @ActivityMethod(name = "VerifyTable")
  TableVerification verifyTable(MigrateSpec spec, TablePlan table);

  /**
   * For a table with a watermark column, in a cutover's write-unavailability window: compares,
   * as one set, every row whose watermark is at or after {@code since} (less the sync margin) on
   * both sides, then the two key sets of the whole table. A row older than that was compared by a
   * full verification that began at {@code since} and has not changed since, by the watermark's
   * promise, so the two together prove the table equal in a fraction of a full verification.
   */
  @ActivityMethod(name = "VerifyChangedRows")
  TableVerification verifyChangedRows(MigrateSpec spec, TablePlan table, String since);

  /**
   * After a rollback-cutover's copy-back: compares in every column, on both sides, the rows a
   * cutover's change log recorded in PostgreSQL since its switch, then the two key sets of the whole
   * table. Every other row was proven equal by the cutover's final verification and has changed on
   * neither side since (MySQL read-only, PostgreSQL's writes all logged), so the two together prove
   * the table equal without reading it whole. A table not split on one integer key is compared whole.
   */
  @ActivityMethod(name = "VerifyLoggedRows")
  TableVerification verifyLoggedRows(MigrateSpec spec, TablePlan table);

  /**
   * Each identity restarted past the largest key the table holds and past the source's own
   * counter, so the first row the application inserts does not collide with a synced one; the
   * tables restarted and where, for the report.
   */
  @ActivityMethod(name = "ResetSequences")
  String resetSequences(MigrateSpec spec, SchemaPlan plan);

  /**
   * Compensation of CreateTables: drops the tables this run created (those carrying its marker),
   * and nothing else.
   */
  @ActivityMethod(name = "DropCreatedTables")
  void dropCreatedTables(MigrateSpec spec, SchemaPlan plan, String runMarker);
}
