package io.durablerunbooks.restoretest;

import io.durablerunbooks.backup.BackupRequest;
import io.durablerunbooks.backup.BackupWorkflow;
import io.durablerunbooks.report.Outcome;
import io.durablerunbooks.report.RunbookReport;
import io.durablerunbooks.restore.RestoreRequest;
import io.durablerunbooks.restore.RestoreSpec;
import io.durablerunbooks.restore.RestoreWorkflow;
import io.durablerunbooks.runbook.RunContext;
import io.durablerunbooks.runbook.RunbookWorkflowBase;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInit;

/**
 * Proves the backups can be restored: a backup (or the newest one), restored into a non-production
 * database, smoke-checked. Both halves are the ordinary runbooks, run as child workflows, so the
 * UI shows each with its own steps.
 */
public class RestoreTestWorkflowImpl extends RunbookWorkflowBase implements RestoreTestWorkflow {

  @WorkflowInit
  public RestoreTestWorkflowImpl(RestoreTestRequest request) {
    super(request.spec().header(), request.context());
  }

  @Override
  public RunbookReport run(RestoreTestRequest request) {
    RestoreTestSpec spec = request.spec();
    RunContext context = new RunContext(request.context().initiator(), request.context().dryRun());
    String parentId = Workflow.getInfo().getWorkflowId();
    try {
      if (spec.header().production()) {
        throw run.fail(
            Outcome.REJECTED,
            "environment: a restore test never restores into production ('" + spec.header().environment() + "')");
      }
      String backupKey = RestoreSpec.LATEST;
      if (spec.takeBackup()) {
        BackupWorkflow backup =
            Workflow.newChildWorkflowStub(
                BackupWorkflow.class, ChildWorkflowOptions.newBuilder()
                    .setWorkflowId(parentId + "/backup")
                    .setTypedSearchAttributes(run.childSearchAttributes(spec.backup().header()))
                    .build());
        RunbookReport backupReport = run.step("Backup", () -> backup.run(new BackupRequest(context, spec.backup())));
        backupKey = backupReport.facts().getOrDefault("backup.key", RestoreSpec.LATEST);
        copyFacts(backupReport, "backup.");
      }
      RestoreSpec restoreSpec = spec.restore().withBackupKey(backupKey);
      RestoreWorkflow restore =
          Workflow.newChildWorkflowStub(
              RestoreWorkflow.class, ChildWorkflowOptions.newBuilder()
                  .setWorkflowId(parentId + "/restore")
                  .setTypedSearchAttributes(run.childSearchAttributes(restoreSpec.header()))
                  .build());
      RunbookReport restoreReport = run.step("RestoreAndSmokeCheck", () -> restore.run(new RestoreRequest(context, restoreSpec)));
      copyFacts(restoreReport, "");
      return run.succeed();
    } catch (RuntimeException e) {
      throw ended(e, "Restore test " + spec.header().name(), "");
    }
  }

  private void copyFacts(RunbookReport child, String onlyPrefix) {
    child.facts().forEach(
        (k, v) -> {
          if (k.startsWith(onlyPrefix)) {
            run.fact(k, v);
          }
        });
  }
}
