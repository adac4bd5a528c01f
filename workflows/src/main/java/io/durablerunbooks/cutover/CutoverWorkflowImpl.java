package io.durablerunbooks.cutover;

import io.durablerunbooks.definition.Durations;
import io.durablerunbooks.backup.BackupManifest;
import io.durablerunbooks.backup.BackupRequest;
import io.durablerunbooks.backup.BackupWorkflow;
import io.durablerunbooks.migrate.MigrateActivities;
import io.durablerunbooks.migrate.MigrateSpec;
import io.durablerunbooks.migrate.RowDifference;
import io.durablerunbooks.migrate.SchemaPlan;
import io.durablerunbooks.migrate.SyncRequest;
import io.durablerunbooks.migrate.SyncResult;
import io.durablerunbooks.migrate.TablePlan;
import io.durablerunbooks.migrate.TableVerification;
import io.durablerunbooks.report.Outcome;
import io.durablerunbooks.report.RunbookReport;
import io.durablerunbooks.report.StepStatus;
import io.durablerunbooks.restore.FindBackupRequest;
import io.durablerunbooks.restore.RestoreActivities;
import io.durablerunbooks.restore.RestoreSpec;
import io.durablerunbooks.runbook.Failures;
import io.durablerunbooks.runbook.Parallel;
import io.durablerunbooks.runbook.RunContext;
import io.durablerunbooks.runbook.RunbookKind;
import io.durablerunbooks.runbook.RunbookWorkflowBase;
import io.durablerunbooks.runbook.StepOptions;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInit;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * MySQL to PostgreSQL, as the runbook reads: preflight (both databases, the copy verified row by
 * row, the application, a verified backup), baseline, catch-up, a pre-cutover backup, the GO
 * gate; then the write-unavailability window: MySQL read-only, the final sync, the sequences, a
 * verification that must find no differing row, the change log armed, the application switched;
 * then the end-to-end checks, monitoring, and the watch and retention that outlive this run.
 *
 * <p>From MySQL read-only on, a failure or a cancellation runs the emergency rollback: the
 * application back to MySQL, PostgreSQL's writes (from the change log) copied back, the change
 * log dropped, MySQL writable, a read and write through the application; then a forensic backup
 * of PostgreSQL, after service is back so it cannot delay it, and the incident report. A
 * rollback step that fails stops the ones that would make the two databases diverge: MySQL is
 * never made writable while the application may still write to PostgreSQL.
 */
public class CutoverWorkflowImpl extends RunbookWorkflowBase implements CutoverWorkflow {

  private static final Duration CHILD_BACKUP_LIMIT = Duration.ofHours(6);
  private static final Duration FORENSIC_BACKUP_LIMIT = Duration.ofMinutes(30);

  private final CutoverActivities checks = Workflow.newActivityStub(CutoverActivities.class, StepOptions.check());
  private final CutoverActivities changes = Workflow.newActivityStub(CutoverActivities.class, StepOptions.change());
  private final CutoverActivities window = Workflow.newActivityStub(CutoverActivities.class, StepOptions.window(Duration.ofMinutes(2)));
  private final CutoverActivities rollback = Workflow.newActivityStub(CutoverActivities.class, StepOptions.rollback());
  private final MigrateActivities schema = Workflow.newActivityStub(MigrateActivities.class, StepOptions.check());
  private final MigrateActivities transfers = Workflow.newActivityStub(MigrateActivities.class, StepOptions.transfer());
  private final MigrateActivities windowTransfers = Workflow.newActivityStub(MigrateActivities.class, StepOptions.windowTransfer());
  private final MigrateActivities windowChanges =
      Workflow.newActivityStub(MigrateActivities.class, StepOptions.window(Duration.ofMinutes(2)));
  private final RestoreActivities backups = Workflow.newActivityStub(RestoreActivities.class, StepOptions.check());

  /** Per table, the source's time when its last full verification began. */
  private final Map<String, String> verifiedSince = new LinkedHashMap<>();
  /** Per table, the source's time when its last sync began: where the next one looks from. */
  private final Map<String, String> syncedSince = new LinkedHashMap<>();
  /** Set once MySQL may be read-only: from then on a failure rolls back. */
  private boolean rollbackArmed;
  /** Why the rollback stopped before it could make MySQL writable, or empty. */
  private String rollbackBlocked = "";
  private String phase = "Preflight";

  @WorkflowInit
  public CutoverWorkflowImpl(CutoverRequest request) {
    super(request.spec().header(), request.context());
  }

  @Override
  public RunbookReport run(CutoverRequest request) {
    CutoverSpec spec = request.spec();
    MigrateSpec data = spec.data();
    ApplicationSpec app = spec.application();
    String marker = "durable-runbooks check " + Workflow.getInfo().getRunId().substring(0, 8);
    SchemaPlan plan = null;
    try {
      SchemaPlan copied = run.step("CheckCopiedSchema", () -> schema.checkCopiedSchema(data));
      plan = copied;
      run.detail("CheckCopiedSchema", copied.tables().size() + " tables: "
          + copied.tables().stream().map(TablePlan::name).collect(Collectors.joining(", ")));
      preflight(spec, copied);
      verifyCopy(spec, copied);

      phase = "Baseline";
      Baseline baseline = run.step("TakeBaseline", () -> checks.takeBaseline(spec, copied));
      recordBaseline(baseline);

      if (run.dryRun()) {
        planCutover(spec, copied);
        return run.succeed();
      }
      phase = "CatchUp";
      catchUp(spec, copied, "CatchUp", spec.catchUp().maxRounds());
      preCutoverBackup(spec);

      phase = "Approval";
      if (!awaitGo("ApproveCutover", "GO to make " + data.source() + " read-only and move " + app.host().name()
          + " to " + data.target() + "? The application cannot write for a few seconds.")) {
        throw run.fail(Outcome.REJECTED, "cutover not approved: nothing was changed");
      }
      catchUp(spec, copied, "CatchUpAfterGo", 1);

      phase = "SetMySqlReadOnly";
      long windowStarted = Workflow.currentTimeMillis();
      rollbackArmed = true;
      run.compensateOnFailure("SetMySqlWritable", () -> unlessBlocked(() -> rollback.setMySqlWritable(spec)));
      ReadOnlyResult readOnly = run.step("SetMySqlReadOnly", () -> window.setMySqlReadOnly(spec));
      run.detail("SetMySqlReadOnly", "read-only in " + readOnly.millis() + " ms" + (readOnly.superReadOnly() ? ", super_read_only too" : "")
          + (readOnly.openWriteTransactions() > 0
              ? "; " + readOnly.openWriteTransactions() + " open write transactions will fail on COMMIT" : ""));

      phase = "FinalSync";
      Map<String, SyncResult> last = perTable(data, copied, "FinalSync", t -> Async.function(
          windowTransfers::syncTable, new SyncRequest(data, t, syncedSince.get(t.name()))), this::syncDetail);
      run.fact("finalSync.rows", last.values().stream().mapToLong(SyncResult::changed).sum());
      String sequences = run.step("ResetSequences", () -> windowChanges.resetSequences(data, copied));
      run.detail("ResetSequences", sequences);

      phase = "VerifyFinal";
      Promise<StatsComparison> statistics = spec.statistics().isEmpty()
          ? Workflow.newPromise(new StatsComparison(Map.of(), Map.of(), List.of()))
          : Async.function(window::compareStatistics, spec);
      Map<String, TableVerification> verdicts = perTable(data, copied, "VerifyFinal", t -> finalVerification(data, t), this::verdict);
      List<TableVerification> differing = verdicts.values().stream().filter(v -> !v.clean()).toList();
      if (!differing.isEmpty()) {
        throw ApplicationFailure.newNonRetryableFailure(
            "the final verification found differing rows: " + differing.stream().map(CutoverWorkflowImpl::summary)
                .collect(Collectors.joining("; ")), "VerificationFailed");
      }
      StatsComparison stats = run.step("CompareStatistics", () -> statistics.get());
      stats.mysql().forEach((k, v) -> run.fact("statistic." + k + ".final", v + (stats.differing().contains(k) ? " (PostgreSQL " + stats.postgres().get(k) + ")" : "")));
      if (!stats.differing().isEmpty()) {
        throw ApplicationFailure.newNonRetryableFailure(
            "business figures differ with MySQL read-only: " + stats.differing().stream()
                .map(k -> k + " MySQL " + stats.mysql().get(k) + ", PostgreSQL " + stats.postgres().get(k)).collect(Collectors.joining("; ")),
            "VerificationFailed");
      }

      phase = "SwitchApplication";
      run.compensateOnFailure("DisarmChangeLog", () -> unlessBlocked(() -> rollback.disarmChangeLog(spec, copied)));
      run.step("ArmChangeLog", () -> window.armChangeLog(spec, copied, Workflow.getInfo().getWorkflowId() + " run " + Workflow.getInfo().getRunId()));
      run.compensateOnFailure("CopyBackPostgresWrites", () -> blockingOnFailure(
          () -> copyBack(spec, copied), "PostgreSQL's writes since the switch could not be copied back to MySQL"));
      run.compensateOnFailure("SwitchApplicationBack", () -> blockingOnFailure(
          () -> rollback.switchApplication(app, Engine.MYSQL), "the application could not be switched back to MySQL and may still write to PostgreSQL"));
      SwitchResult switched = run.step("SwitchApplication", () -> window.switchApplication(app, Engine.POSTGRES));
      long windowEnded = Workflow.currentTimeMillis();
      run.detail("SwitchApplication", app.variable() + " now names PostgreSQL; reload " + switched.reloadMillis() + " ms, healthy "
          + switched.healthyMillis() + " ms after it");
      run.fact("window.millis", windowEnded - windowStarted);
      String switchedAt = Instant.ofEpochMilli(windowEnded).toString();
      run.fact("switchedAt", switchedAt);

      phase = "CheckApplication";
      AppCheckResult e2e = run.step("CheckApplicationEndToEnd", () -> checks.checkApplicationEndToEnd(spec, Engine.POSTGRES, marker));
      run.detail("CheckApplicationEndToEnd", String.join("; ", e2e.checks()));
      phase = "EnableMonitoring";
      run.step("EnableMonitoring", () -> changes.enableMonitoring(spec));

      List.of("SwitchApplicationBack", "CopyBackPostgresWrites", "DisarmChangeLog", "SetMySqlWritable").forEach(run::keepChange);
      rollbackArmed = false;
      startWatchAndRetention(request, copied, baseline, switchedAt);
      notify("succeeded", "Cutover " + spec.header().name() + ": " + app.host().name() + " serves from " + data.target()
          + "; writes were unavailable for " + (windowEnded - windowStarted) + " ms; MySQL stays read-only for "
          + Durations.format(spec.watch().mysqlRetention()) + ".");
      return run.succeed();
    } catch (RuntimeException e) {
      if (!rollbackArmed) {
        throw ended(e, "Cutover " + spec.header().name(), " (during " + phase + "); MySQL and the application were not changed");
      }
      throw emergencyRollback(spec, plan, marker, e);
    }
  }

  private void preflight(CutoverSpec spec, SchemaPlan plan) {
    MigrateSpec data = spec.data();
    Promise<SourceState> source = Async.function(checks::checkMySql, spec);
    Promise<TargetState> target = Async.function(checks::checkPostgres, spec);
    Promise<AppState> app = Async.function(checks::checkApplication, spec.application());
    SourceState s = run.step("CheckMySql", () -> source.get());
    run.detail("CheckMySql", s.version() + ", writable" + (s.binlogFormat().isEmpty() ? ", binary log off" : ", binary log " + s.binlogFormat())
        + ", the application logs in as " + s.applicationUser() + ", which read_only stops");
    run.fact("source", data.source().toString());
    run.fact("source.version", s.version());
    TargetState t = run.step("CheckPostgres", () -> target.get());
    run.detail("CheckPostgres", t.version() + ", pg_stat_statements loaded" + (t.statStatementsInstalled() ? " and created" : ", created at the switch"));
    run.fact("target", data.target().toString());
    run.fact("target.version", t.version());
    AppState a = run.step("CheckApplication", () -> app.get());
    if (a.on() != Engine.MYSQL) {
      throw ApplicationFailure.newNonRetryableFailure(
          "application: " + spec.application().variable() + " in " + spec.application().envFile() + " names PostgreSQL already;"
              + " a cutover starts from an application on MySQL", "AlreadyOnPostgres");
    }
    run.detail("CheckApplication", spec.application().host().name() + " on MySQL, health " + a.health());
    if (spec.requiredBackup().required()) {
      BackupCheck required = spec.requiredBackup();
      BackupManifest newest = run.step("CheckBackupExists", () -> backups.findBackup(new FindBackupRequest(
          spec.backup().storage(), spec.backup().storage().key(required.runbook()) + "/", RestoreSpec.LATEST)));
      Duration age = Duration.ofMillis(Workflow.currentTimeMillis() - newest.finishedAt().toEpochMilli());
      run.detail("CheckBackupExists", newest.key() + ", verified, " + age.toHours() + " h old");
      if (age.compareTo(required.maxAge()) > 0) {
        throw ApplicationFailure.newNonRetryableFailure(
            "backup.require: the newest verified backup of " + required.runbook() + " (" + newest.key() + ") is " + age.toHours()
                + " h old, more than backup.require.maxAge (" + required.maxAge().toHours() + " h); run the backup first",
            "BackupTooOld");
      }
      run.fact("backup.required", newest.key());
    }
  }

  /**
   * The copy, verified row by row in every column. A real run repairs what the application wrote
   * since the copy and checks each repaired range again (a row that differs after that is a defect
   * and fails here, before anything changed); a dry run only compares.
   */
  private void verifyCopy(CutoverSpec spec, SchemaPlan plan) {
    MigrateSpec data = spec.data();
    if (run.dryRun()) {
      perTable(data, plan, "VerifyCopy", t -> Async.function(transfers::verifyTable, data, t),
          v -> v.sourceRows() + " rows in MySQL, " + v.targetRows() + " in PostgreSQL, "
              + (v.clean() ? "equal" : v.differingRows() + " differ: the sync would copy them"));
      return;
    }
    Map<String, SyncResult> verified = perTable(data, plan, "VerifyCopy", t -> Async.function(
        transfers::syncTable, new SyncRequest(data, t, plan.sourceTime(), true)), r -> r.sourceRows() + " rows compared in every column, "
            + r.changed() + " written since the copy brought up to date and checked again, " + r.ranges() + " ranges");
    verified.forEach((table, r) -> {
      verifiedSince.put(table, r.sourceTime());
      syncedSince.put(table, r.sourceTime());
      run.fact("table." + table + ".verifiedRows", r.sourceRows());
    });
  }

  private void recordBaseline(Baseline b) {
    b.mysql().rows().forEach((t, n) -> run.fact("baseline." + t + ".rows", n + " in MySQL, " + b.postgres().rows().get(t) + " in PostgreSQL"));
    b.mysql().statistics().forEach((k, v) -> run.fact("statistic." + k + ".baseline", v + " in MySQL, " + b.postgres().statistics().get(k) + " in PostgreSQL"));
    run.fact("baseline.appP95Millis", b.appP95Millis());
    run.detail("TakeBaseline", b.mysql().rows().values().stream().mapToLong(Long::longValue).sum() + " rows in MySQL; the application's p95 "
        + b.appP95Millis() + " ms over " + b.appRequests() + " requests, " + b.appFailed() + " failed");
  }

  /** Delta syncs until a round changes at most {@code catchUp.maxLagRows} rows, or the rounds run out. */
  private void catchUp(CutoverSpec spec, SchemaPlan plan, String name, int rounds) {
    long lag = 0;
    for (int round = 1; round <= rounds; round++) {
      String stepName = rounds == 1 ? name : name + " " + round;
      Map<String, SyncResult> synced = perTable(spec.data(), plan, stepName, t -> Async.function(
          transfers::syncTable, new SyncRequest(spec.data(), t, syncedSince.get(t.name()))), this::syncDetail);
      lag = synced.values().stream().mapToLong(SyncResult::changed).sum();
      if (lag <= spec.catchUp().maxLagRows()) {
        break;
      }
    }
    run.fact(name + ".lastRoundRows", lag);
  }

  private String syncDetail(SyncResult r) {
    syncedSince.put(r.table(), r.sourceTime());
    return r.upserted() + " rows upserted, " + r.deleted() + " deleted"
        + (r.ranges() == 0 ? ", key sets equal" : ", " + r.ranges() + " ranges compared") + " (since " + r.sourceTime() + ")";
  }

  private void preCutoverBackup(CutoverSpec spec) {
    BackupWorkflow backup = Workflow.newChildWorkflowStub(BackupWorkflow.class, ChildWorkflowOptions.newBuilder()
        .setWorkflowId(Workflow.getInfo().getWorkflowId() + "/pre-cutover-backup")
        .setWorkflowRunTimeout(CHILD_BACKUP_LIMIT)
        .setTypedSearchAttributes(run.childSearchAttributes(spec.backup().header()))
        .build());
    RunbookReport report = run.step("PreCutoverBackup", () -> backup.run(new BackupRequest(run.context(), spec.backup())));
    run.detail("PreCutoverBackup", report.facts().getOrDefault("backup.key", "") + ", verified");
    run.fact("backup.preCutover", report.facts().getOrDefault("backup.key", ""));
  }

  /** A table with a watermark: its changed rows and key sets; any other: all of it. */
  private Promise<TableVerification> finalVerification(MigrateSpec data, TablePlan t) {
    return data.sync().watermarks().containsKey(t.name())
        ? Async.function(windowTransfers::verifyChangedRows, data, t, verifiedSince.get(t.name()))
        : Async.function(windowTransfers::verifyTable, data, t);
  }

  private String verdict(TableVerification v) {
    run.fact("table." + v.table() + ".verdict", v.clean() ? "equal" : summary(v));
    return v.sourceRows() + " rows in MySQL, " + v.targetRows() + " in PostgreSQL, " + (v.clean() ? "equal" : summary(v));
  }

  private static String summary(TableVerification v) {
    return v.table() + ": " + v.differingRows() + " differing rows"
        + (v.sourceRows() == v.targetRows() ? "" : " (" + v.sourceRows() + " rows in MySQL, " + v.targetRows() + " in PostgreSQL)")
        + (v.differences().isEmpty() ? "" : ", keys " + v.differences().stream().map(RowDifference::toString).collect(Collectors.joining(", ")));
  }

  private void copyBack(CutoverSpec spec, SchemaPlan plan) {
    CopyBackResult r = rollback.copyBackPostgresWrites(spec, plan);
    run.fact("rollback.copiedBackRows", r.rows());
    r.upserted().forEach((t, n) -> run.fact("rollback." + t + ".copiedBack", n));
    r.deleted().forEach((t, n) -> run.fact("rollback." + t + ".deletedInMySql", n));
  }

  /** Runs a rollback step unless an earlier one failed in a way that makes this one unsafe. */
  private void unlessBlocked(Runnable action) {
    if (!rollbackBlocked.isEmpty()) {
      throw ApplicationFailure.newNonRetryableFailure("not done: " + rollbackBlocked + "; MySQL stays read-only so the two cannot diverge",
          "RollbackBlocked");
    }
    action.run();
  }

  /** A rollback step whose failure blocks the later ones. */
  private void blockingOnFailure(Runnable action, String why) {
    unlessBlocked(() -> {
      try {
        action.run();
      } catch (RuntimeException e) {
        rollbackBlocked = why + " (" + Failures.reason(e) + ")";
        throw e;
      }
    });
  }

  /**
   * The emergency rollback, in a scope a cancellation cannot stop: the registered undo steps, the
   * read and write check through the application on MySQL, then the forensic backup and the
   * incident report.
   */
  private RuntimeException emergencyRollback(CutoverSpec spec, SchemaPlan plan, String marker, RuntimeException e) {
    boolean cancelled = e instanceof CanceledFailure || CancellationScope.current().isCancelRequested();
    String reason = (cancelled ? "cancelled" : Failures.reason(e)) + " (during " + phase + ")";
    RuntimeException[] end = new RuntimeException[1];
    Workflow.newDetachedCancellationScope(() -> {
      long detected = Workflow.currentTimeMillis();
      run.fact("rollback.reason", reason);
      run.fact("rollback.phase", phase);
      run.compensate();
      if (rollbackBlocked.isEmpty()) {
        try {
          AppCheckResult onMySql = run.step("CheckMySqlReadWrite", () -> checks.checkApplicationEndToEnd(spec, Engine.MYSQL, marker));
          run.detail("CheckMySqlReadWrite", String.join("; ", onMySql.checks()));
        } catch (RuntimeException check) {
          rollbackBlocked = "MySQL is writable again but the read and write check through the application failed ("
              + Failures.reason(check) + ")";
        }
      }
      run.fact("rollback.millis", Workflow.currentTimeMillis() - detected);
      forensicBackup(spec);
      String outcome = rollbackBlocked.isEmpty()
          ? "rolled back to MySQL in " + (Workflow.currentTimeMillis() - detected) + " ms (backup excluded)"
          : "ROLLBACK INCOMPLETE: " + rollbackBlocked;
      notify("failed", "Cutover " + spec.header().name() + " failed: " + reason + "; " + outcome + ".");
      if (cancelled) {
        run.cancelled();
        end[0] = e instanceof CanceledFailure ? e : new CanceledFailure("cancelled during " + phase + "; " + outcome);
      } else {
        end[0] = run.fail(rollbackBlocked.isEmpty() ? Outcome.ROLLED_BACK : Outcome.FAILED, reason + "; " + outcome);
      }
    }).run();
    return end[0];
  }

  /** Bounded, and after service is back: it may never hold the rollback up. */
  private void forensicBackup(CutoverSpec spec) {
    BackupWorkflow backup = Workflow.newChildWorkflowStub(BackupWorkflow.class, ChildWorkflowOptions.newBuilder()
        .setWorkflowId(Workflow.getInfo().getWorkflowId() + "/forensic-backup")
        .setWorkflowRunTimeout(FORENSIC_BACKUP_LIMIT)
        .setTypedSearchAttributes(run.childSearchAttributes(spec.backup().header()))
        .build());
    try {
      RunbookReport report = run.step("ForensicBackup", () -> backup.run(new BackupRequest(run.context(), spec.backup())));
      run.fact("rollback.forensicBackup", report.facts().getOrDefault("backup.key", ""));
    } catch (RuntimeException e) {
      run.fact("rollback.forensicBackup", "failed: " + Failures.reason(e));
    }
  }

  private void startWatchAndRetention(CutoverRequest request, SchemaPlan plan, Baseline baseline, String switchedAt) {
    CutoverSpec spec = request.spec();
    RunContext context = request.context();
    String id = Workflow.getInfo().getWorkflowId();
    WatchSpec watch = new WatchSpec(
        spec.header().as(RunbookKind.CUTOVER_WATCH, spec.header().name()), spec.application(), spec.data().target(),
        spec.data().targetSchema(), plan.tables().stream().map(TablePlan::name).toList(), spec.watch(), baseline.appP95Millis(), switchedAt);
    PostCutoverWatchWorkflow watcher = Workflow.newChildWorkflowStub(PostCutoverWatchWorkflow.class, ChildWorkflowOptions.newBuilder()
        .setWorkflowId(id + "/watch")
        .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_ABANDON)
        .setTypedSearchAttributes(run.childSearchAttributes(watch.header()))
        .build());
    RetentionSpec retention = new RetentionSpec(spec.header().as(RunbookKind.MYSQL_RETENTION, spec.header().name()), spec, plan, switchedAt);
    MySqlRetentionWorkflow keeper = Workflow.newChildWorkflowStub(MySqlRetentionWorkflow.class, ChildWorkflowOptions.newBuilder()
        .setWorkflowId(id + "/mysql-retention")
        .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_ABANDON)
        .setTypedSearchAttributes(run.childSearchAttributes(retention.header()))
        .build());
    run.step("StartPostCutoverWatch", () -> {
      Async.function(watcher::run, new WatchRequest(context, watch, WatchState.start(Workflow.currentTimeMillis())));
      Async.function(keeper::run, new RetentionRequest(context, retention));
      // Started, not finished: the watch runs for a day, the retention for a week, after this run.
      Workflow.getWorkflowExecution(watcher).get();
      Workflow.getWorkflowExecution(keeper).get();
    });
    run.detail("StartPostCutoverWatch", id + "/watch samples every " + Durations.format(spec.watch().interval()) + " for "
        + Durations.format(spec.watch().period()) + "; " + id + "/mysql-retention keeps MySQL read-only until "
        + Instant.parse(switchedAt).plus(spec.watch().mysqlRetention()));
    run.fact("watch", id + "/watch");
    run.fact("retention", id + "/mysql-retention");
  }

  /**
   * One step per table, {@code parallelism} at once, each named {@code <name> <table>} with the
   * detail {@code describe} makes of its result; the results by table.
   */
  private <T> Map<String, T> perTable(
      MigrateSpec data, SchemaPlan plan, String name, Function<TablePlan, Promise<T>> call, Function<T, String> describe) {
    Map<String, T> results = new LinkedHashMap<>();
    Deque<Supplier<Promise<Void>>> work = new ArrayDeque<>();
    for (TablePlan t : plan.tables()) {
      work.add(() -> {
        int handle = run.startStep(name + " " + t.name(), "");
        return call.apply(t).handle((result, failure) -> {
          if (failure != null) {
            run.endStep(handle, StepStatus.FAILED, Failures.reason(failure));
            throw failure;
          }
          results.put(t.name(), result);
          run.endStep(handle, StepStatus.SUCCEEDED, describe.apply(result));
          return null;
        });
      });
    }
    Parallel.run(data.copy().parallelism(), work);
    return results;
  }

  private void planCutover(CutoverSpec spec, SchemaPlan plan) {
    MigrateSpec data = spec.data();
    ApplicationSpec app = spec.application();
    String tables = plan.tables().stream().map(TablePlan::name).collect(Collectors.joining(", "));
    run.plan("CatchUp", "would sync " + tables + " into " + data.target() + " until a round changes at most "
        + spec.catchUp().maxLagRows() + " rows (at most " + spec.catchUp().maxRounds() + " rounds)");
    run.plan("PreCutoverBackup", "would back up " + data.target() + " to " + spec.backup().storage().uri(spec.backup().backupsPrefix()));
    run.plan("ApproveCutover", "would wait up to " + Durations.format(spec.header().approval().timeout()) + " for GO from "
        + String.join(", ", spec.header().approval().approvers()));
    run.plan("SetMySqlReadOnly", "would run on " + data.source() + ": SET GLOBAL read_only = ON (and super_read_only where the server"
        + " has it), waiting at most " + spec.drainTimeout().toSeconds() + " s for committing statements");
    run.plan("FinalSync", "would copy the rows changed since the catch-up into " + data.target() + ": " + tables);
    run.plan("ResetSequences", "would restart the identities of "
        + plan.tables().stream().filter(t -> !t.identityColumn().isEmpty()).map(t -> t.name() + "." + t.identityColumn())
            .collect(Collectors.joining(", ")) + " past their largest keys");
    run.plan("VerifyFinal", "would require zero differing rows in " + tables + (data.sync().watermarks().isEmpty() ? ""
        : " (by their changed rows and key sets for " + String.join(", ", data.sync().watermarks().keySet()) + ")")
        + (spec.statistics().isEmpty() ? "" : " and equal figures: "
            + spec.statistics().stream().map(BusinessStat::name).collect(Collectors.joining(", "))));
    run.plan("ArmChangeLog", "would create the schema durable_runbooks in " + data.target().database()
        + " with triggers on " + tables + " that record the keys of the rows the application writes from then on");
    run.plan("SwitchApplication", "would set " + app.variable() + " in " + app.envFile() + " on " + app.host().describe() + " from "
        + shown(app.mysqlValue()) + " to " + shown(app.postgresValue()) + ", keeping the file as " + app.keptFile()
        + ", then run: " + app.reload());
    run.plan("CheckApplicationEndToEnd", "would check " + app.url() + app.checks().health() + ", " + app.checks().read() + ", a write to "
        + app.checks().write() + " found in PostgreSQL's " + app.checks().table() + " and not in MySQL's, its delete"
        + (spec.checks().isEmpty() ? "" : ", and " + spec.checks().size() + " queries on PostgreSQL"));
    run.plan("EnableMonitoring", "would create pg_stat_statements where missing and reset it and the table statistics");
    run.plan("StartPostCutoverWatch", "would watch the application and PostgreSQL every " + Durations.format(spec.watch().interval())
        + " for " + Durations.format(spec.watch().period()) + ", and keep MySQL read-only for " + Durations.format(spec.watch().mysqlRetention()));
  }

  /** A literal value as written (it holds no password: the validator refuses those), a secret by its reference. */
  private static String shown(String value) {
    return value.startsWith("${") ? "the value of " + value : value;
  }
}
