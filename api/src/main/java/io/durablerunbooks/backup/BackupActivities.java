package io.durablerunbooks.backup;

import io.durablerunbooks.postgres.PostgresConnection;
import io.durablerunbooks.storage.StorageLocation;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** The steps of a PostgreSQL backup; each name shows in the Temporal UI. */
@ActivityInterface
public interface BackupActivities {

  /** Connects, reads the server version and size, checks pg_dump on the worker can dump it. */
  @ActivityMethod(name = "CheckDatabase")
  DatabaseInfo checkDatabase(PostgresConnection database);

  /** The bucket exists and the credentials may write to it. */
  @ActivityMethod(name = "CheckStorage")
  void checkStorage(StorageLocation storage);

  /**
   * pg_dump streamed through compression and SHA-256 into a multipart upload, with no temporary
   * file; heartbeats bytes done; a retried attempt aborts the previous attempt's upload first.
   */
  @ActivityMethod(name = "DumpAndUpload")
  UploadedBackup dumpAndUpload(DumpRequest request);

  @ActivityMethod(name = "VerifyStoredBackup")
  VerifiedBackup verifyBackup(VerifyRequest request);

  @ActivityMethod(name = "WriteManifest")
  void writeManifest(StorageLocation storage, BackupManifest manifest);

  @ActivityMethod(name = "ApplyRetention")
  RetentionResult applyRetention(RetentionRequest request);

  /**
   * Compensation for a backup that did not finish: aborts its multipart uploads and deletes its
   * object and manifest. Touches nothing but that one key.
   */
  @ActivityMethod(name = "DiscardIncompleteBackup")
  void discardBackup(StorageLocation storage, String key);
}
