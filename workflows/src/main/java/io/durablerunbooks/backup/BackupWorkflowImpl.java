package io.durablerunbooks.backup;

import io.durablerunbooks.report.Outcome;
import io.durablerunbooks.report.RunbookReport;
import io.durablerunbooks.runbook.RunbookWorkflowBase;
import io.durablerunbooks.runbook.StepOptions;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInit;
import java.time.Instant;
import java.util.Locale;

/**
 * PostgreSQL backup to S3: check the database and the bucket, stream the dump into a multipart
 * upload, verify what was stored, write the manifest, apply retention. Until the manifest is
 * written the object is not a backup, and a failure discards it.
 */
public class BackupWorkflowImpl extends RunbookWorkflowBase implements BackupWorkflow {

  private final BackupActivities checks =
      Workflow.newActivityStub(BackupActivities.class, StepOptions.check());
  private final BackupActivities transfers =
      Workflow.newActivityStub(BackupActivities.class, StepOptions.transfer());
  private final BackupActivities changes =
      Workflow.newActivityStub(BackupActivities.class, StepOptions.change());

  @WorkflowInit
  public BackupWorkflowImpl(BackupRequest request) {
    super(request.spec().header(), request.context());
  }

  @Override
  public RunbookReport run(BackupRequest request) {
    BackupSpec spec = request.spec();
    Instant startedAt = Instant.ofEpochMilli(Workflow.currentTimeMillis());
    String key = BackupKeys.objectKey(spec, startedAt, Workflow.getInfo().getRunId());
    try {
      DatabaseInfo db = run.step("CheckDatabase", () -> checks.checkDatabase(spec.database()));
      run.fact("database", spec.database().database());
      run.fact("database.serverVersion", db.serverVersion());
      run.fact("database.sizeBytes", db.databaseSizeBytes());
      run.step("CheckStorage", () -> checks.checkStorage(spec.storage()));

      if (spec.header().approval().required()
          && !awaitGo("ApproveBackup", "GO to back up " + spec.database() + " to " + spec.storage().uri(key) + "?")) {
        throw run.fail(Outcome.REJECTED, "backup not approved");
      }
      if (run.dryRun()) {
        planBackup(spec, key, db);
        return run.succeed();
      }

      run.compensateOnFailure("DiscardIncompleteBackup", () -> changes.discardBackup(spec.storage(), key));
      UploadedBackup uploaded =
          run.step(
              "DumpAndUpload",
              () -> transfers.dumpAndUpload(new DumpRequest(spec.database(), spec.storage(), key, spec.options())));
      run.detail("DumpAndUpload", uploaded.dumpBytes() + " bytes dumped, " + uploaded.storedBytes() + " stored in " + uploaded.parts() + " parts");
      run.fact("backup.key", key);
      run.fact("backup.uri", spec.storage().uri(key));
      run.fact("backup.dumpBytes", uploaded.dumpBytes());
      run.fact("backup.storedBytes", uploaded.storedBytes());
      run.fact("backup.sha256", uploaded.sha256());

      VerifiedBackup verified =
          run.step(
              "VerifyStoredBackup",
              () ->
                  transfers.verifyBackup(
                      new VerifyRequest(
                          spec.storage(),
                          key,
                          uploaded.storedBytes(),
                          uploaded.sha256(),
                          spec.options().readBackVerify())));
      run.fact("backup.verification", verified.method());

      Instant finishedAt = Instant.ofEpochMilli(Workflow.currentTimeMillis());
      BackupManifest manifest =
          new BackupManifest(
              BackupManifest.FORMAT_VERSION,
              spec.header().name(),
              spec.header().environment(),
              Workflow.getInfo().getWorkflowId(),
              Workflow.getInfo().getRunId(),
              spec.storage().bucket(),
              key,
              spec.database().database(),
              db.serverVersion(),
              uploaded.pgDumpVersion(),
              spec.options().compression().name().toLowerCase(Locale.ROOT),
              spec.options().level(),
              uploaded.dumpBytes(),
              uploaded.storedBytes(),
              uploaded.sha256(),
              true,
              verified.method(),
              startedAt,
              finishedAt,
              finishedAt.toEpochMilli() - startedAt.toEpochMilli());
      run.step("WriteManifest", () -> changes.writeManifest(spec.storage(), manifest));
      run.keepChange("DiscardIncompleteBackup");
      run.fact("backup.manifest", BackupManifest.manifestKey(key));

      RetentionResult retention =
          run.step(
              "ApplyRetention",
              () ->
                  changes.applyRetention(
                      new RetentionRequest(
                          spec.storage(), spec.backupsPrefix(), spec.retention(), key, finishedAt, false)));
      run.detail("ApplyRetention", "kept " + retention.kept().size() + ", deleted " + retention.deleted().size());
      run.fact("retention.deleted", retention.deleted().size());

      notify("succeeded", "Backup " + spec.storage().uri(key) + " verified (" + uploaded.storedBytes() + " bytes).");
      return run.succeed();
    } catch (RuntimeException e) {
      throw ended(e, "Backup " + spec.header().name(), "");
    }
  }

  private void planBackup(BackupSpec spec, String key, DatabaseInfo db) {
    BackupOptions o = spec.options();
    run.plan(
        "DumpAndUpload",
        "would stream pg_dump of "
            + spec.database().database()
            + " (" + db.databaseSizeBytes() + " bytes on disk) through "
            + o.compression().name().toLowerCase(Locale.ROOT) + " level " + o.level()
            + " into " + spec.storage().uri(key)
            + " (storage class " + spec.storage().storageClass() + ")");
    run.plan(
        "VerifyStoredBackup",
        o.readBackVerify() ? "would re-read the object and compare its SHA-256" : "would compare the stored size");
    run.plan("WriteManifest", "would write " + spec.storage().uri(BackupManifest.manifestKey(key)));
    RetentionResult wouldDelete =
        run.step(
            "ApplyRetention",
            () ->
                checks.applyRetention(
                    new RetentionRequest(
                        spec.storage(),
                        spec.backupsPrefix(),
                        spec.retention(),
                        "",
                        Instant.ofEpochMilli(Workflow.currentTimeMillis()),
                        true)));
    run.detail("ApplyRetention", "dry run: would delete " + wouldDelete.deleted());
  }
}
