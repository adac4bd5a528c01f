package io.durablerunbooks.migrate;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;

/** The steps of a MySQL/MariaDB to PostgreSQL data migration; each name shows in the Temporal UI. */
@ActivityInterface
public interface MigrateActivities {

  /**
   * Connects to both databases, reads the source schema from information_schema and converts it;
   * fails before any change with every table or column it cannot convert, and when a target table
   * already exists.
   */
  @ActivityMethod(name = "ConvertSchema")
  SchemaPlan convertSchema(MigrateSpec spec);

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
   * Compensation of CreateTables: drops the tables this run created (those carrying its marker),
   * and nothing else.
   */
  @ActivityMethod(name = "DropCreatedTables")
  void dropCreatedTables(MigrateSpec spec, SchemaPlan plan, String runMarker);
}
