package io.durablerunbooks.restore;

import io.durablerunbooks.backup.BackupKeys;
import io.durablerunbooks.backup.BackupManifest;
import io.durablerunbooks.report.Outcome;
import io.durablerunbooks.report.RunbookReport;
import io.durablerunbooks.runbook.RunbookWorkflowBase;
import io.durablerunbooks.runbook.StepOptions;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInit;

/**
 * Restore from S3: refuse a production target unless unlocked, prove the object is the one the
 * manifest describes before touching any database, ask for GO, restore into a fresh database, run
 * the smoke checks there, and only then swap it in. A failure before the swap leaves the target as
 * it was.
 */
public class RestoreWorkflowImpl extends RunbookWorkflowBase implements RestoreWorkflow {

  /** PostgreSQL truncates identifiers longer than this. */
  private static final int MAX_IDENTIFIER = 63;

  private final RestoreActivities checks =
      Workflow.newActivityStub(RestoreActivities.class, StepOptions.check());
  private final RestoreActivities transfers =
      Workflow.newActivityStub(RestoreActivities.class, StepOptions.transfer());
  private final RestoreActivities changes =
      Workflow.newActivityStub(RestoreActivities.class, StepOptions.change());

  @WorkflowInit
  public RestoreWorkflowImpl(RestoreRequest request) {
    super(
        request.spec().header().production()
            ? request.spec().header().withApproval(request.spec().header().approval().requiringApproval())
            : request.spec().header(),
        request.context());
  }

  @Override
  public RunbookReport run(RestoreRequest request) {
    RestoreSpec spec = request.spec();
    String runTag = BackupKeys.runTag(Workflow.getInfo().getRunId());
    String scratch = databaseName(spec.target().database(), "_restore_" + runTag);
    String previous = databaseName(spec.target().database(), "_before_" + runTag);
    try {
      if (spec.header().production() && !spec.unlockProduction()) {
        throw run.fail(
            Outcome.REJECTED,
            "target.unlockProduction: restore into production environment '"
                + spec.header().environment()
                + "' is refused unless the runbook sets target.unlockProduction: true and an approver sends GO");
      }
      TargetInfo target = run.step("CheckRestoreTarget", () -> checks.checkRestoreTarget(spec.target()));
      run.fact("target", spec.target().database());
      run.fact("target.exists", target.targetExists());
      run.fact("target.serverVersion", target.serverVersion());

      BackupManifest manifest =
          run.step(
              "FindBackup",
              () -> checks.findBackup(new FindBackupRequest(spec.storage(), spec.backupsPrefix(), spec.backupKey())));
      run.fact("backup.key", manifest.key());
      run.fact("backup.sha256", manifest.sha256());
      run.fact("backup.storedBytes", manifest.storedBytes());
      run.fact("backup.takenAt", manifest.finishedAt());

      run.step(
          "VerifyBackupChecksum",
          () -> transfers.verifyBackupChecksum(new ChecksumRequest(spec.storage(), manifest)));

      if (run.header().approval().required()
          && !awaitGo(
              "ApproveRestore",
              "GO to replace database " + spec.target().database() + " (" + spec.header().environment()
                  + ") with backup " + manifest.key() + " taken " + manifest.finishedAt() + "?")) {
        throw run.fail(Outcome.REJECTED, "restore not approved: the target was not touched");
      }

      if (run.dryRun()) {
        run.plan("RestoreIntoScratchDatabase", "would restore " + manifest.key() + " into new database " + scratch);
        run.plan("RunSmokeChecks", "would count rows of every table in " + scratch + " and run " + spec.smoke().queries().size() + " configured queries");
        run.plan(
            "SwapInRestoredDatabase",
            "would rename " + spec.target().database() + " to " + previous + " and " + scratch + " to " + spec.target().database()
                + (target.activeConnections() > 0 ? ", ending " + target.activeConnections() + " sessions" : ""));
        return run.succeed();
      }

      run.compensateOnFailure("DropScratchDatabase", () -> changes.dropScratchDatabase(spec.target(), scratch));
      RestoredDatabase restored =
          run.step(
              "RestoreIntoScratchDatabase",
              () -> transfers.restoreIntoScratch(new ScratchRestoreRequest(spec.storage(), manifest, spec.target(), scratch)));
      run.detail("RestoreIntoScratchDatabase", restored.tables() + " tables from " + restored.restoredBytes() + " bytes");

      SmokeResult smoke =
          run.step("RunSmokeChecks", () -> transfers.smokeCheck(new SmokeRequest(spec.target().withDatabase(scratch), spec.smoke())));
      run.detail("RunSmokeChecks", smoke.tables().size() + " tables, " + smoke.totalRows() + " rows, " + smoke.queries().size() + " queries passed");
      run.fact("restored.tables", smoke.tables().size());
      run.fact("restored.rows", smoke.totalRows());
      smoke.tables().forEach(t -> run.fact("rows." + t.table(), t.rows()));

      SwapResult swap =
          run.step(
              "SwapInRestoredDatabase",
              () -> changes.swapDatabases(new SwapRequest(spec.target(), scratch, previous, spec.keepPrevious())));
      run.keepChange("DropScratchDatabase");
      run.fact("previousDatabase", swap.previousDatabase());

      notify("succeeded", "Restored " + manifest.key() + " into " + spec.target().database() + ".");
      return run.succeed();
    } catch (RuntimeException e) {
      throw ended(e, "Restore " + spec.header().name(), " (target " + spec.target().database() + " untouched)");
    }
  }

  static String databaseName(String base, String suffix) {
    int room = MAX_IDENTIFIER - suffix.length();
    return (base.length() > room ? base.substring(0, room) : base) + suffix;
  }
}
