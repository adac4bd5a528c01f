package io.durablerunbooks.cutover;

import io.durablerunbooks.definition.Durations;
import io.durablerunbooks.migrate.MigrateActivities;
import io.durablerunbooks.migrate.MigrateSpec;
import io.durablerunbooks.migrate.SchemaPlan;
import io.durablerunbooks.migrate.TablePlan;
import io.durablerunbooks.migrate.TableVerification;
import io.durablerunbooks.report.Outcome;
import io.durablerunbooks.report.RunbookReport;
import io.durablerunbooks.runbook.Failures;
import io.durablerunbooks.runbook.RunbookWorkflowBase;
import io.durablerunbooks.runbook.StepOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInit;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A cutover undone hours or days later, as the runbook reads: preflight (MySQL still read-only,
 * the cutover's change log armed, the application on PostgreSQL), what PostgreSQL took since the
 * switch, the GO gate; then the application switched to MySQL (read-only, so its writes fail
 * rather than land in the wrong database), PostgreSQL's writes copied back, the copied tables
 * verified row by row, MySQL writable, a read and write through the application, the change log
 * dropped and the cutover's watch and retention stopped.
 *
 * <p>Until MySQL is writable, a failure switches the application back to PostgreSQL, which
 * still holds every row: nothing is lost, and the rollback can be run again.
 */
public class RollbackCutoverWorkflowImpl extends RunbookWorkflowBase implements RollbackCutoverWorkflow {

  private static final Duration STOP_WAIT = Duration.ofMinutes(1);

  private final CutoverActivities checks = Workflow.newActivityStub(CutoverActivities.class, StepOptions.check());
  private final CutoverActivities changes = Workflow.newActivityStub(CutoverActivities.class, StepOptions.change());
  private final MigrateActivities schema = Workflow.newActivityStub(MigrateActivities.class, StepOptions.check());
  private final MigrateActivities transfers = Workflow.newActivityStub(MigrateActivities.class, StepOptions.transfer());

  @WorkflowInit
  public RollbackCutoverWorkflowImpl(RollbackCutoverRequest request) {
    super(request.spec().header(), request.context());
  }

  @Override
  public RunbookReport run(RollbackCutoverRequest request) {
    RollbackCutoverSpec spec = request.spec();
    CutoverSpec cutover = spec.cutover();
    MigrateSpec data = cutover.data();
    ApplicationSpec app = cutover.application();
    String subject = "Rollback of cutover " + cutover.header().name();
    try {
      SchemaPlan plan = run.step("CheckCopiedSchema", () -> schema.checkCopiedSchema(data));
      Promise<SourceState> source = Async.function(checks::checkMySqlReadOnly, cutover);
      Promise<TargetState> target = Async.function(checks::checkPostgres, cutover);
      Promise<AppState> onApp = Async.function(checks::checkApplication, app);
      SourceState s = run.step("CheckMySqlReadOnly", () -> source.get());
      run.detail("CheckMySqlReadOnly", s.version() + ", read-only since the cutover");
      run.fact("mysql", data.source().toString());
      run.step("CheckPostgres", () -> target.get());
      run.fact("postgres", data.target().toString());
      AppState a = run.step("CheckApplication", () -> onApp.get());
      if (a.on() != Engine.POSTGRES) {
        throw ApplicationFailure.newNonRetryableFailure(
            "application: " + app.variable() + " in " + app.envFile() + " names MySQL already: there is nothing to roll back", "AlreadyOnMySql");
      }
      run.detail("CheckApplication", app.host().name() + " on PostgreSQL, health " + a.health());

      ChangeInventory writes = run.step("ListPostgresWrites", () -> checks.listPostgresWrites(cutover, plan));
      requireRecoverable(spec, writes);
      run.detail("ListPostgresWrites", writes.total() + " rows written to PostgreSQL since " + writes.armedAt()
          + (writes.total() == 0 ? "" : ": " + describe(writes)));
      run.fact("postgresWrites", writes.total());
      writes.rows().forEach((t, n) -> run.fact("table." + t + ".postgresWrites", n));

      if (run.dryRun()) {
        planRollback(spec, writes);
        return run.succeed();
      }
      if (!awaitGo("ApproveRollbackCutover", "GO to move " + app.host().name() + " back to MySQL " + data.source() + ", copying back the "
          + writes.total() + " rows PostgreSQL took since " + writes.armedAt() + "? The application cannot write until MySQL is writable.")) {
        throw run.fail(Outcome.REJECTED, "rollback not approved: the application stays on PostgreSQL, nothing was changed");
      }

      run.compensateOnFailure("SwitchApplicationBack", () -> changes.switchApplication(app, Engine.POSTGRES));
      SwitchResult switched = run.step("SwitchApplication", () -> changes.switchApplication(app, Engine.MYSQL));
      long windowStarted = Workflow.currentTimeMillis() - switched.reloadMillis() - switched.healthyMillis();
      run.detail("SwitchApplication", app.variable() + " names MySQL again (read-only until the copy-back is verified); reload "
          + switched.reloadMillis() + " ms");

      CopyBackResult copied = run.step("CopyBackPostgresWrites", () -> changes.copyBackPostgresWrites(cutover, plan));
      run.detail("CopyBackPostgresWrites", copied.rows() + " rows in " + copied.millis() + " ms");
      run.fact("copiedBackRows", copied.rows());
      copied.upserted().forEach((t, n) -> run.fact("table." + t + ".copiedBack", n));
      copied.deleted().forEach((t, n) -> run.fact("table." + t + ".deletedInMySql", n));
      verifyCopiedTables(data, plan, writes);

      run.step("SetMySqlWritable", () -> changes.setMySqlWritable(cutover));
      run.keepChange("SwitchApplicationBack");
      run.fact("window.millis", Workflow.currentTimeMillis() - windowStarted);
      String marker = "durable-runbooks rollback check " + Workflow.getInfo().getRunId().substring(0, 8);
      AppCheckResult e2e = run.step("CheckApplicationEndToEnd", () -> checks.checkApplicationEndToEnd(cutover, Engine.MYSQL, marker));
      run.detail("CheckApplicationEndToEnd", String.join("; ", e2e.checks()));
      run.step("DisarmChangeLog", () -> changes.disarmChangeLog(cutover, plan));
      stopWatchAndRetention(cutover);
      notify("succeeded", subject + ": " + app.host().name() + " serves from MySQL " + data.source() + " again; "
          + copied.rows() + " rows copied back from PostgreSQL, which is left as it was.");
      return run.succeed();
    } catch (RuntimeException e) {
      throw ended(e, subject, "; MySQL was not made writable, the application serves from PostgreSQL");
    }
  }

  /** Without copy-back, a rollback that would drop the rows PostgreSQL took is refused, listing them. */
  private static void requireRecoverable(RollbackCutoverSpec spec, ChangeInventory writes) {
    CutoverSpec cutover = spec.cutover();
    if (!writes.armed()) {
      throw ApplicationFailure.newNonRetryableFailure(
          "cutover: " + cutover.data().target().database() + " has no change log, so what PostgreSQL took since the switch cannot be"
              + " known (its retention was decommissioned, or the cutover never switched); a rollback now would lose data", "NoChangeLog");
    }
    if (!spec.copyBack() && writes.total() > 0) {
      throw ApplicationFailure.newNonRetryableFailure(
          "copyBack: false, but PostgreSQL took " + writes.total() + " rows since the switch that MySQL does not have ("
              + describe(writes) + "); set copyBack: true to copy them back, nothing was changed", "WritesWouldBeLost");
    }
  }

  private static String describe(ChangeInventory writes) {
    return writes.rows().entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).sorted().collect(Collectors.joining(", "))
        + (writes.listed().isEmpty() ? "" : "; first: " + String.join(", ", writes.listed()));
  }

  /**
   * The tables PostgreSQL wrote to: the rows its change log recorded compared row by row, and the
   * key sets (runs begun before that existed compare every row); the other tables MySQL has as they
   * were at the switch.
   */
  private void verifyCopiedTables(MigrateSpec data, SchemaPlan plan, ChangeInventory writes) {
    boolean loggedRows = Workflow.getVersion("verify-copy-back-by-logged-rows", Workflow.DEFAULT_VERSION, 1) == 1;
    List<TablePlan> written = plan.tables().stream().filter(t -> writes.rows().getOrDefault(t.name(), 0L) > 0).toList();
    for (TablePlan t : written) {
      TableVerification v = run.step("VerifyCopyBack " + t.name(),
          () -> loggedRows ? transfers.verifyLoggedRows(data, t) : transfers.verifyTable(data, t));
      run.detail("VerifyCopyBack " + t.name(), v.sourceRows() + " rows in MySQL, " + v.targetRows() + " in PostgreSQL, "
          + (v.clean() ? "equal" : v.differingRows() + " differ"));
      if (!v.clean()) {
        throw ApplicationFailure.newNonRetryableFailure("after the copy-back, " + v.differingRows() + " rows of " + t.name()
            + " differ between MySQL and PostgreSQL", "VerificationFailed");
      }
    }
  }

  /**
   * The cutover's watch and retention would report on a PostgreSQL the application left: both are
   * cancelled. One that ended already (the watch lasts a day) has nothing to stop; the answer is
   * awaited a minute at most, as a stop that is not confirmed must not hold the rollback's end.
   */
  private void stopWatchAndRetention(CutoverSpec cutover) {
    String id = cutover.header().workflowId();
    run.step("StopWatchAndRetention", () -> {
      Map<String, Promise<Void>> stops = new LinkedHashMap<>();
      for (String child : List.of(id + "/watch", id + "/mysql-retention")) {
        stops.put(child, Async.procedure(Workflow.newUntypedExternalWorkflowStub(child)::cancel));
      }
      Workflow.await(STOP_WAIT, () -> stops.values().stream().allMatch(Promise::isCompleted));
      stops.forEach((child, stop) -> {
        if (!stop.isCompleted()) {
          run.fact("stopped." + child, "cancellation requested, not confirmed within " + Durations.format(STOP_WAIT));
        } else if (stop.getFailure() != null) {
          run.fact("stopped." + child, "not running: " + Failures.reason(stop.getFailure()));
        } else {
          run.fact("stopped." + child, "cancelled");
        }
      });
    });
  }

  private void planRollback(RollbackCutoverSpec spec, ChangeInventory writes) {
    CutoverSpec cutover = spec.cutover();
    ApplicationSpec app = cutover.application();
    run.plan("ApproveRollbackCutover", "would wait up to " + Durations.format(spec.header().approval().timeout()) + " for GO from "
        + String.join(", ", spec.header().approval().approvers()));
    run.plan("SwitchApplication", "would set " + app.variable() + " in " + app.envFile() + " on " + app.host().describe()
        + " back to application.mysql, then run: " + app.reload());
    run.plan("CopyBackPostgresWrites", "would copy " + writes.total() + " rows from " + cutover.data().target() + " to " + cutover.data().source());
    run.plan("SetMySqlWritable", "would run on " + cutover.data().source() + ": SET GLOBAL read_only = OFF");
    run.plan("DisarmChangeLog", "would drop the change log's triggers and the schema durable_runbooks of " + cutover.data().target().database());
  }
}
