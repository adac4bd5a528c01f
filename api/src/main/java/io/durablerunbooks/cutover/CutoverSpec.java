package io.durablerunbooks.cutover;

import io.durablerunbooks.backup.BackupSpec;
import io.durablerunbooks.definition.RunbookDefinition;
import io.durablerunbooks.migrate.MigrateSpec;
import io.durablerunbooks.restore.SmokeQuery;
import io.durablerunbooks.runbook.RunbookHeader;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A validated {@code kind: cutover} runbook file: move an application from MySQL/MariaDB to the
 * PostgreSQL copy a migrate-data run made, with a GO gate, a short write-unavailability window
 * and an emergency rollback.
 *
 * @param data the two databases, the tables, their type overrides, watermark columns and the
 *     verification settings, as a migrate-data runbook states them; the cutover syncs and verifies
 *     through the same engine
 * @param drainTimeout how long setting MySQL read-only may wait for statements committing at
 *     that moment; past it the phase fails and MySQL stays writable
 * @param backup the pre-cutover and forensic backups of PostgreSQL, as a backup runbook states
 *     them (its name is {@code <name>-pre-cutover})
 * @param requiredBackup a verified backup the preflight requires, or {@link BackupCheck#none()}
 * @param statistics business figures computed on both sides at the baseline and again with MySQL
 *     read-only, where they must be equal
 * @param checks queries run on PostgreSQL after the switch, each with its expected answer
 */
public record CutoverSpec(
    RunbookHeader header,
    MigrateSpec data,
    CatchUpOptions catchUp,
    Duration drainTimeout,
    BackupSpec backup,
    BackupCheck requiredBackup,
    ApplicationSpec application,
    List<BusinessStat> statistics,
    List<SmokeQuery> checks,
    WatchOptions watch)
    implements RunbookDefinition {

  public CutoverSpec {
    Objects.requireNonNull(header, "header");
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(catchUp, "catchUp");
    Objects.requireNonNull(drainTimeout, "drainTimeout");
    Objects.requireNonNull(backup, "backup");
    Objects.requireNonNull(requiredBackup, "requiredBackup");
    Objects.requireNonNull(application, "application");
    Objects.requireNonNull(watch, "watch");
    statistics = List.copyOf(statistics);
    checks = List.copyOf(checks);
  }

  /**
   * The catch-up before the GO gate.
   *
   * @param maxLagRows a round that changed at most this many rows ends the catch-up
   * @param maxRounds rounds at most; the last one's lag is reported either way
   */
  public record CatchUpOptions(long maxLagRows, int maxRounds) {}
}
