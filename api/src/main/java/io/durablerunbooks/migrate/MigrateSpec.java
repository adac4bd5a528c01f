package io.durablerunbooks.migrate;

import io.durablerunbooks.definition.RunbookDefinition;
import io.durablerunbooks.postgres.PostgresConnection;
import io.durablerunbooks.runbook.RunbookHeader;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A validated {@code kind: migrate-data} runbook file: copy the tables of a MySQL/MariaDB database
 * into a PostgreSQL database and prove both hold the same data.
 *
 * @param targetSchema the PostgreSQL schema the tables are created in
 * @param include the source tables to copy; empty means all of them
 * @param exclude source tables left out, applied after {@code include}
 * @param keylessTables what to do with a table without a primary key
 * @param columnTypes PostgreSQL types chosen by the runbook for {@code table.column}, overriding
 *     the type map (also how a type the map refuses is migrated, and how a generated column is
 *     copied as its values)
 * @param checkConstraints for {@code table.constraint}, a source CHECK constraint: the PostgreSQL
 *     expression the target gets instead of the translated one, or {@code skip} to leave it out
 * @param leaveBehind triggers (of the tables copied), views, procedures, functions and events of
 *     the source database, by name, which the runbook knows migrate-data does not carry over (it
 *     copies tables); code on the source not named here stops the run before anything is created
 */
public record MigrateSpec(
    RunbookHeader header,
    MySqlConnection source,
    PostgresConnection target,
    String targetSchema,
    List<String> include,
    List<String> exclude,
    KeylessTables keylessTables,
    Map<String, String> columnTypes,
    Map<String, String> checkConstraints,
    List<String> leaveBehind,
    CopyOptions copy,
    SyncOptions sync,
    VerifyOptions verify)
    implements RunbookDefinition {

  public MigrateSpec {
    include = List.copyOf(include);
    exclude = List.copyOf(exclude);
    columnTypes = Map.copyOf(columnTypes);
    // Absent from the histories of runs started before checkConstraints (leaveBehind) existed, which replay through here.
    checkConstraints = checkConstraints == null ? Map.of() : Map.copyOf(checkConstraints);
    leaveBehind = leaveBehind == null ? List.of() : List.copyOf(leaveBehind);
  }

  /** The {@code checkConstraints} value that leaves a source CHECK constraint out of the target. */
  public static final String SKIP_CHECK = "skip";

  /** What a table without a primary key gets. */
  public enum KeylessTables {
    /** Preflight fails naming the tables: nothing is copied. */
    REFUSE,
    /** Copied in one piece and verified with one checksum of the whole table. */
    COPY_WHOLE
  }

  /**
   * @param parallelism chunks copied (and tables verified) at once
   * @param chunkRows rows per primary-key range, the unit of resumption after a crash
   */
  public record CopyOptions(int parallelism, int chunkRows) {}

  /**
   * The delta sync after the copy: rows the source inserted, updated or deleted meanwhile.
   *
   * @param enabled whether the sync phase runs
   * @param watermarks per table, a datetime or timestamp column the application sets on every
   *     change ({@code updated_at}): rows changed since the copy began are found by it, and only the
   *     keys are compared to find deletions; a table without one is compared range by range
   * @param margin how far before the copy's start the watermark search begins, for clock skew and
   *     for datetime columns written in a zone west of UTC
   */
  public record SyncOptions(boolean enabled, Map<String, String> watermarks, Duration margin) {

    public SyncOptions {
      watermarks = Map.copyOf(watermarks);
    }
  }

  /**
   * @param enabled whether the verify phase runs
   * @param queryTime the time each checksum query aims at; ranges grow or shrink to keep to it
   * @param maxListedRows the differing primary keys listed per table in the report
   */
  public record VerifyOptions(boolean enabled, Duration queryTime, int maxListedRows) {}
}
