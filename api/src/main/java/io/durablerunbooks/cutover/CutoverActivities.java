package io.durablerunbooks.cutover;

import io.durablerunbooks.migrate.SchemaPlan;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * The steps of a MySQL to PostgreSQL cutover that are not the migration engine's (the sync and
 * the verification are {@link io.durablerunbooks.migrate.MigrateActivities}); each name shows in
 * the Temporal UI.
 */
@ActivityInterface
public interface CutoverActivities {

  /**
   * MySQL reachable and writable, the cutover's account able to set it read-only, and the
   * application's account unable to write past read-only.
   */
  @ActivityMethod(name = "CheckMySql")
  SourceState checkMySql(CutoverSpec spec);

  /**
   * For a rollback-cutover: MySQL reachable and still read-only since the cutover, and the same
   * accounts as {@link #checkMySql}.
   */
  @ActivityMethod(name = "CheckMySqlReadOnly")
  SourceState checkMySqlReadOnly(CutoverSpec spec);

  @ActivityMethod(name = "CheckPostgres")
  TargetState checkPostgres(CutoverSpec spec);

  /** The environment file readable, its variable naming one of the two databases; health 200. */
  @ActivityMethod(name = "CheckApplication")
  AppState checkApplication(ApplicationSpec application);

  /** Row counts and business figures on both sides, and the application's latency. */
  @ActivityMethod(name = "TakeBaseline")
  Baseline takeBaseline(CutoverSpec spec, SchemaPlan plan);

  /** read_only (and super_read_only where the server has it), with a short lock wait. */
  @ActivityMethod(name = "SetMySqlReadOnly")
  ReadOnlyResult setMySqlReadOnly(CutoverSpec spec);

  /** Writable again, and confirmed so. */
  @ActivityMethod(name = "SetMySqlWritable")
  void setMySqlWritable(CutoverSpec spec);

  @ActivityMethod(name = "CompareStatistics")
  StatsComparison compareStatistics(CutoverSpec spec);

  /**
   * Triggers on every table record the key of each row written on PostgreSQL from now on, so a
   * rollback knows exactly what to copy back.
   */
  @ActivityMethod(name = "ArmChangeLog")
  void armChangeLog(CutoverSpec spec, SchemaPlan plan, String armedBy);

  /** The rows the change log holds. */
  @ActivityMethod(name = "ListPostgresWrites")
  ChangeInventory listPostgresWrites(CutoverSpec spec, SchemaPlan plan);

  /**
   * Copies the rows the change log names from PostgreSQL back to MySQL (upsert, or delete where
   * PostgreSQL deleted them), as the cutover's account, which read-only does not stop.
   */
  @ActivityMethod(name = "CopyBackPostgresWrites")
  CopyBackResult copyBackPostgresWrites(CutoverSpec spec, SchemaPlan plan);

  /** Drops the change log's triggers and table; PostgreSQL is left as it was before. */
  @ActivityMethod(name = "DisarmChangeLog")
  void disarmChangeLog(CutoverSpec spec, SchemaPlan plan);

  /**
   * Points the application's environment file at an engine (the file's previous content kept
   * beside it), runs the reload, and waits for its health check.
   */
  @ActivityMethod(name = "SwitchApplication")
  SwitchResult switchApplication(ApplicationSpec application, Engine to);

  /**
   * Health, a read, and a write of a row marked {@code marker} through the application, found in
   * the expected database and absent from the other, then deleted through the application; then
   * the configured queries on PostgreSQL when it is the expected one.
   */
  @ActivityMethod(name = "CheckApplicationEndToEnd")
  AppCheckResult checkApplicationEndToEnd(CutoverSpec spec, Engine expected, String marker);

  /** pg_stat_statements created where missing and reset, so it counts from the switch. */
  @ActivityMethod(name = "EnableMonitoring")
  void enableMonitoring(CutoverSpec spec);
}
