package io.durablerunbooks.cutover;

import io.durablerunbooks.definition.Durations;
import io.durablerunbooks.report.Outcome;
import io.durablerunbooks.report.RunbookReport;
import io.durablerunbooks.report.StepStatus;
import io.durablerunbooks.runbook.ApprovalPolicy;
import io.durablerunbooks.runbook.RunbookHeader;
import io.durablerunbooks.runbook.RunbookWorkflowBase;
import io.durablerunbooks.runbook.StepOptions;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInit;
import java.time.Duration;
import java.time.Instant;

/**
 * MySQL after a cutover: read-only and untouched for the retention period (a durable timer), during
 * which a rollback-cutover can still take the application back; then a decommission gate. Its GO
 * ends the rollback period (the change log is dropped from PostgreSQL) and says MySQL may be shut
 * down: nothing is ever dropped from MySQL by this runbook. A NO-GO or a timeout leaves everything
 * as it is.
 */
public class MySqlRetentionWorkflowImpl extends RunbookWorkflowBase implements MySqlRetentionWorkflow {

  /** How long the decommission gate stays open: a week, whatever the cutover's own gate allowed. */
  static final Duration DECOMMISSION_GATE = Duration.ofDays(7);

  private final CutoverActivities checks = Workflow.newActivityStub(CutoverActivities.class, StepOptions.check());
  private final CutoverActivities changes = Workflow.newActivityStub(CutoverActivities.class, StepOptions.change());

  @WorkflowInit
  public MySqlRetentionWorkflowImpl(RetentionRequest request) {
    super(withDecommissionGate(request.spec().header()), request.context());
  }

  private static RunbookHeader withDecommissionGate(RunbookHeader h) {
    ApprovalPolicy a = h.approval();
    Duration open = DECOMMISSION_GATE.compareTo(a.timeout()) > 0 ? DECOMMISSION_GATE : a.timeout();
    return h.withApproval(new ApprovalPolicy(true, a.approvers(), a.allowSelfApproval(), open));
  }

  @Override
  public RunbookReport run(RetentionRequest request) {
    RetentionSpec spec = request.spec();
    CutoverSpec cutover = spec.cutover();
    Instant until = Instant.parse(spec.switchedAt()).plus(cutover.watch().mysqlRetention());
    run.fact("mysql", cutover.data().source().toString());
    run.fact("readOnlyUntil", until.toString());
    int keeping = run.startStep("KeepMySqlReadOnly", "MySQL stays read-only and untouched until " + until
        + "; a rollback-cutover can take the application back meanwhile");
    long left = until.toEpochMilli() - Workflow.currentTimeMillis();
    if (left > 0) {
      Workflow.sleep(Duration.ofMillis(left));
    }
    run.endStep(keeping, StepStatus.SUCCEEDED, "retention of " + Durations.format(cutover.watch().mysqlRetention()) + " over");
    ChangeInventory writes = run.step("ListPostgresWrites", () -> checks.listPostgresWrites(cutover, spec.plan()));
    run.fact("postgresWritesSinceSwitch", writes.total());
    if (!awaitGo("ApproveDecommission", "MySQL " + cutover.data().source() + " has been read-only since " + spec.switchedAt()
        + " and PostgreSQL took " + writes.total() + " rows since. GO ends the rollback period: the change log is dropped and MySQL"
        + " may be shut down (nothing is dropped from it)?")) {
      throw run.fail(Outcome.REJECTED, "decommission not approved: MySQL stays read-only and the change log armed");
    }
    run.step("DisarmChangeLog", () -> changes.disarmChangeLog(cutover, spec.plan()));
    run.fact("decommission", "approved: MySQL " + cutover.data().source() + " may be shut down; nothing was dropped from it");
    notify("succeeded", "MySQL " + cutover.data().source() + " of cutover " + spec.header().name()
        + " may be decommissioned; nothing was dropped from it.");
    return run.succeed();
  }
}
