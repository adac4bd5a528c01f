package io.durablerunbooks.restore;

import io.durablerunbooks.backup.BackupManifest;
import io.durablerunbooks.postgres.PostgresConnection;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** The steps of a restore from S3; each name shows in the Temporal UI. */
@ActivityInterface
public interface RestoreActivities {

  /** The manifest of the named backup, or of the newest verified one. */
  @ActivityMethod(name = "FindBackup")
  BackupManifest findBackup(FindBackupRequest request);

  /** Reads the whole object and compares its SHA-256 with the manifest; touches no database. */
  @ActivityMethod(name = "VerifyBackupChecksum")
  String verifyBackupChecksum(ChecksumRequest request);

  @ActivityMethod(name = "CheckRestoreTarget")
  TargetInfo checkRestoreTarget(PostgresConnection target);

  @ActivityMethod(name = "RestoreIntoScratchDatabase")
  RestoredDatabase restoreIntoScratch(ScratchRestoreRequest request);

  @ActivityMethod(name = "RunSmokeChecks")
  SmokeResult smokeCheck(SmokeRequest request);

  @ActivityMethod(name = "SwapInRestoredDatabase")
  SwapResult swapDatabases(SwapRequest request);

  /** Compensation: drops the scratch database a failed restore left. Never the target. */
  @ActivityMethod(name = "DropScratchDatabase")
  void dropScratchDatabase(PostgresConnection target, String scratchDatabase);
}
