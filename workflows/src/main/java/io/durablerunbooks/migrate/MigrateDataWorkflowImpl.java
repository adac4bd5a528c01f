package io.durablerunbooks.migrate;

import io.durablerunbooks.report.Outcome;
import io.durablerunbooks.report.RunbookReport;
import io.durablerunbooks.report.StepStatus;
import io.durablerunbooks.runbook.Failures;
import io.durablerunbooks.runbook.Parallel;
import io.durablerunbooks.runbook.RunbookWorkflowBase;
import io.durablerunbooks.runbook.StepOptions;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * MySQL/MariaDB to PostgreSQL: convert the schema (nothing is created when any part of it cannot
 * be), create the tables, copy every table in key ranges (one activity per range, so a worker killed
 * mid-table resumes at the range it was copying), build each table's indexes once its rows are in
 * and its foreign keys once the tables they reference are in too, bring them up to date with what the source changed meanwhile (when sync is on), then
 * verify every table with checksums computed inside both databases. Until the data is
 * loaded and indexed a failure drops the tables this run created; a verification that finds
 * differences keeps them, for the report's keys to be looked at.
 */
public class MigrateDataWorkflowImpl extends RunbookWorkflowBase implements MigrateDataWorkflow {

  private final MigrateActivities checks = Workflow.newActivityStub(MigrateActivities.class, StepOptions.check());
  private final MigrateActivities changes = Workflow.newActivityStub(MigrateActivities.class, StepOptions.change());
  private final MigrateActivities transfers = Workflow.newActivityStub(MigrateActivities.class, StepOptions.transfer());

  /** Per table: its step handle, ranges done and in all, rows and bytes copied so far. */
  private static final class TableCopy {
    final TablePlan table;
    final int ranges;
    int handle = -1;
    int done;
    long rows;
    long bytes;
    long zeroDates;
    long startedAt;
    long finishedAt;

    TableCopy(TablePlan table, int ranges) {
      this.table = table;
      this.ranges = ranges;
    }

    String detail() {
      return done + "/" + ranges + " ranges, " + rows + " rows, " + bytes + " bytes"
          + (zeroDates > 0 ? ", " + zeroDates + " zero dates written as NULL" : "");
    }
  }

  @WorkflowInit
  public MigrateDataWorkflowImpl(MigrateRequest request) {
    super(request.spec().header(), request.context());
  }

  @Override
  public RunbookReport run(MigrateRequest request) {
    MigrateSpec spec = request.spec();
    String marker = MigrateActivities.TABLE_MARKER + Workflow.getInfo().getWorkflowId();
    try {
      SchemaPlan plan = run.step("ConvertSchema", () -> checks.convertSchema(spec));
      run.detail("ConvertSchema", plan.tables().size() + " tables, " + plan.notes().size() + " notes");
      run.fact("source", spec.source().toString());
      run.fact("source.version", plan.sourceVersion());
      run.fact("target", spec.target().toString());
      run.fact("target.version", plan.targetVersion());
      run.fact("tables", plan.tables().stream().map(TablePlan::name).collect(Collectors.joining(", ")));
      for (int i = 0; i < plan.notes().size(); i++) {
        run.fact("note." + (i + 1), plan.notes().get(i));
      }

      if (spec.header().approval().required()
          && !awaitGo("ApproveMigration", "GO to copy " + plan.tables().size() + " tables from " + spec.source()
              + " into " + spec.target() + "?")) {
        throw run.fail(Outcome.REJECTED, "migration not approved");
      }
      if (run.dryRun()) {
        planMigration(spec, plan);
        return run.succeed();
      }

      run.compensateOnFailure("DropCreatedTables", () -> changes.dropCreatedTables(spec, plan, marker));
      run.step("CreateTables", () -> changes.createTables(spec, plan, marker));
      copyTables(spec, plan);
      run.keepChange("DropCreatedTables");

      if (spec.sync().enabled()) {
        syncTables(spec, plan);
      }
      if (!spec.verify().enabled()) {
        return run.succeed();
      }
      List<TableVerification> verdicts = verifyTables(spec, plan);
      List<TableVerification> differing = verdicts.stream().filter(v -> !v.clean()).toList();
      if (!differing.isEmpty()) {
        String reason =
            "verification found differences in " + differing.stream().map(this::summary).collect(Collectors.joining("; "));
        notify("failed", "Migration " + spec.header().name() + ": " + reason);
        throw run.fail(Outcome.FAILED, reason);
      }
      notify("succeeded", "Migration " + spec.header().name() + ": " + plan.tables().size() + " tables copied and verified equal.");
      return run.succeed();
    } catch (RuntimeException e) {
      throw ended(e, "Migration " + spec.header().name(), "");
    }
  }

  private void copyTables(MigrateSpec spec, SchemaPlan plan) {
    Map<String, List<KeyRange>> ranges = new LinkedHashMap<>();
    run.step(
        "PlanChunks",
        () -> {
          Map<String, Promise<List<KeyRange>>> planned = new LinkedHashMap<>();
          plan.tables().forEach(t -> planned.put(t.name(), Async.function(transfers::planChunks, spec, t)));
          planned.forEach((name, promise) -> ranges.put(name, promise.get()));
        });
    run.detail(
        "PlanChunks",
        ranges.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue().size()).collect(Collectors.joining(", ")));
    Map<String, TableCopy> tables = new LinkedHashMap<>();
    Deque<Supplier<Promise<Void>>> work = new ArrayDeque<>();
    ForeignKeys keys = new ForeignKeys(spec, plan, work);
    plan.tables().stream()
        // Most rows first: the table copied last has its indexes built after every copy is done,
        // and index builds cost by rows; the smallest table's are the shortest wait.
        .sorted(Comparator.comparingLong(TablePlan::estimatedRows).reversed())
        .forEach(
            t -> {
              TableCopy copy = new TableCopy(t, ranges.get(t.name()).size());
              tables.put(t.name(), copy);
              for (KeyRange range : ranges.get(t.name())) {
                work.add(() -> copyChunk(spec, copy, range, work, keys));
              }
            });
    Parallel.run(spec.copy().parallelism(), work);
    for (TableCopy copy : tables.values()) {
      String t = copy.table.name();
      run.fact("table." + t + ".rows", copy.rows);
      run.fact("table." + t + ".bytes", copy.bytes);
      run.fact("table." + t + ".copySeconds", String.format("%.1f", (copy.finishedAt - copy.startedAt) / 1000.0));
      if (copy.zeroDates > 0) {
        run.fact("table." + t + ".zeroDatesAsNull", copy.zeroDates);
      }
    }
  }

  /**
   * Copies one range; the table's last range puts its index build at the head of the queue, so it
   * runs while other tables are still being copied.
   */
  private Promise<Void> copyChunk(
      MigrateSpec spec, TableCopy copy, KeyRange range, Deque<Supplier<Promise<Void>>> work, ForeignKeys keys) {
    String step = "Copy " + copy.table.name();
    if (copy.handle < 0) {
      copy.handle = run.startStep(step, copy.detail());
      copy.startedAt = Workflow.currentTimeMillis();
    }
    return Async.function(transfers::copyChunk, new ChunkCopyRequest(spec, copy.table, range))
        .handle(
            (copied, failure) -> {
              if (failure != null) {
                run.endStep(copy.handle, StepStatus.FAILED, "range " + range + ": " + Failures.reason(failure));
                throw failure;
              }
              copy.done++;
              copy.rows += copied.rows();
              copy.bytes += copied.bytes();
              copy.zeroDates += copied.zeroDates();
              if (copy.done == copy.ranges) {
                copy.finishedAt = Workflow.currentTimeMillis();
                run.endStep(copy.handle, StepStatus.SUCCEEDED, copy.detail());
                work.addFirst(
                    () -> tableStep("BuildIndexes " + copy.table.name(), Async.procedure(transfers::buildIndexes, spec, copy.table)));
                keys.copied(copy.table.name());
              } else {
                run.detail(step, copy.detail());
              }
              return null;
            });
  }

  /** Rows the source changed while the copy ran, upserted or deleted, table by table. */
  private void syncTables(MigrateSpec spec, SchemaPlan plan) {
    Parallel.run(
        spec.copy().parallelism(),
        plan.tables().stream()
            .<Supplier<Promise<Void>>>map(
                t -> () -> {
                  int handle = run.startStep("Sync " + t.name(), "");
                  String by = spec.sync().watermarks().containsKey(t.name())
                      ? "by " + spec.sync().watermarks().get(t.name()) + " since " + plan.sourceTime() + " UTC less "
                          + spec.sync().margin().toMinutes() + " min, then by key"
                      : "by range checksums";
                  return Async.function(transfers::syncTable, new SyncRequest(spec, t, plan.sourceTime()))
                      .handle(
                          (r, failure) -> {
                            if (failure != null) {
                              run.endStep(handle, StepStatus.FAILED, Failures.reason(failure));
                              throw failure;
                            }
                            run.fact("table." + t.name() + ".syncUpserted", r.upserted());
                            run.fact("table." + t.name() + ".syncDeleted", r.deleted());
                            run.endStep(
                                handle,
                                StepStatus.SUCCEEDED,
                                r.upserted() + " rows upserted, " + r.deleted() + " deleted, " + by + ", " + r.ranges() + " ranges");
                            return null;
                          });
                })
            .collect(Collectors.toCollection(ArrayDeque::new)));
  }

  /**
   * Foreign keys are added table by table, as soon as the table and every table its keys reference
   * hold all their rows, ahead of the ranges still waiting, so they overlap the copies of the other
   * tables instead of trailing them.
   */
  private final class ForeignKeys {
    private final MigrateSpec spec;
    private final List<TablePlan> waiting;
    private final Deque<Supplier<Promise<Void>>> work;
    private final java.util.Set<String> copied = new java.util.HashSet<>();

    ForeignKeys(MigrateSpec spec, SchemaPlan plan, Deque<Supplier<Promise<Void>>> work) {
      this.spec = spec;
      this.waiting = new ArrayList<>(plan.tables().stream().filter(t -> !t.foreignKeys().isEmpty()).toList());
      this.work = work;
    }

    void copied(String table) {
      copied.add(table);
      for (TablePlan t : List.copyOf(waiting)) {
        if (copied.contains(t.name()) && copied.containsAll(t.referencedTables())) {
          waiting.remove(t);
          work.addFirst(() -> tableStep("AddForeignKeys " + t.name(), Async.procedure(changes::addForeignKeys, spec, t)));
        }
      }
    }
  }

  private List<TableVerification> verifyTables(MigrateSpec spec, SchemaPlan plan) {
    List<TableVerification> verdicts = new ArrayList<>();
    // Most rows first, as the copy: the largest table verified last ran alone for seconds, one
    // core on each database, while the small ones had finished side by side.
    List<TablePlan> tables =
        Workflow.getVersion("verify-most-rows-first", Workflow.DEFAULT_VERSION, 1) == Workflow.DEFAULT_VERSION
            ? plan.tables()
            : plan.tables().stream().sorted(Comparator.comparingLong(TablePlan::estimatedRows).reversed()).toList();
    Parallel.run(
        spec.copy().parallelism(),
        tables.stream()
            .<Supplier<Promise<Void>>>map(
                t -> () -> {
                  int handle = run.startStep("Verify " + t.name(), "");
                  return Async.function(transfers::verifyTable, spec, t)
                      .handle(
                          (v, failure) -> {
                            if (failure != null) {
                              run.endStep(handle, StepStatus.FAILED, Failures.reason(failure));
                              throw failure;
                            }
                            verdicts.add(v);
                            run.fact("table." + t.name() + ".verdict", v.clean() ? "equal" : summary(v));
                            run.fact("table." + t.name() + ".verifySeconds", String.format("%.1f", v.millis() / 1000.0));
                            if (v.rangesByRow() > 0) {
                              run.fact("table." + t.name() + ".rangesComparedRowByRow", String.valueOf(v.rangesByRow()));
                            }
                            run.endStep(
                                handle,
                                v.clean() ? StepStatus.SUCCEEDED : StepStatus.FAILED,
                                v.sourceRows() + " rows in source, " + v.targetRows() + " in target, " + v.ranges()
                                    + " ranges" + (v.rangesByRow() == 0 ? "" : " (" + v.rangesByRow() + " compared row by row)")
                                    + (v.clean() ? ", equal" : ": " + summary(v)));
                            return null;
                          });
                })
            .collect(Collectors.toCollection(ArrayDeque::new)));
    return verdicts;
  }

  private String summary(TableVerification v) {
    String counts =
        v.sourceRows() == v.targetRows() ? "" : " (" + v.sourceRows() + " rows in source, " + v.targetRows() + " in target)";
    return v.table() + ": " + v.differingRows() + " differing rows" + counts
        + (v.differences().isEmpty()
            ? ""
            : ", keys " + v.differences().stream().map(RowDifference::toString).collect(Collectors.joining(", "))
                + (v.differences().size() < v.differingRows() ? ", ..." : ""));
  }

  private Promise<Void> tableStep(String name, Promise<Void> work) {
    int handle = run.startStep(name, "");
    return work.handle(
        (ok, failure) -> {
          run.endStep(handle, failure == null ? StepStatus.SUCCEEDED : StepStatus.FAILED, failure == null ? "" : Failures.reason(failure));
          if (failure != null) {
            throw failure;
          }
          return null;
        });
  }

  private void planMigration(MigrateSpec spec, SchemaPlan plan) {
    run.plan(
        "CreateTables",
        "would create in " + spec.target().database() + ":\n"
            + plan.tables().stream().map(t -> t.createTable() + ";").collect(Collectors.joining("\n")));
    run.plan(
        "Copy",
        "would copy " + plan.tables().stream()
            .map(t -> t.name() + " (about " + t.estimatedRows() + " rows, " + (t.chunked()
                ? "in ranges of " + spec.copy().chunkRows() + " rows of " + t.chunkKey()
                : "in one piece") + ")")
            .collect(Collectors.joining(", "))
            + ", " + spec.copy().parallelism() + " ranges at a time");
    run.plan(
        "BuildIndexes",
        "would run after the load:\n"
            + plan.tables().stream().flatMap(t -> t.afterLoad().stream()).map(s -> s + ";").collect(Collectors.joining("\n")));
    run.plan(
        "AddForeignKeys",
        plan.tables().stream().flatMap(t -> t.foreignKeys().stream()).map(s -> s + ";").collect(Collectors.joining("\n")));
    run.plan(
        "Sync",
        spec.sync().enabled()
            ? "would bring every table up to date with the rows the source changes during the copy"
                + (spec.sync().watermarks().isEmpty() ? " (range checksums)" : " (watermarks " + spec.sync().watermarks() + ")")
            : "delta sync disabled (sync.enabled: false)");
    run.plan(
        "Verify",
        spec.verify().enabled()
            ? "would compare row counts and checksums of every table in ranges of about "
                + spec.verify().queryTime().toMillis() + " ms of query time"
            : "verification disabled (verify.enabled: false)");
  }
}
