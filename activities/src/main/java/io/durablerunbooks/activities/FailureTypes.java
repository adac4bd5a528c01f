package io.durablerunbooks.activities;

/**
 * The stable type names of the failures activities throw on purpose. Workflows, reports and tests
 * match on these, so they never change once released.
 */
public final class FailureTypes {

  /** A field of the runbook holds a value the step cannot use. */
  public static final String INVALID_INPUT = "InvalidInput";
  public static final String SECRET_NOT_FOUND = "SecretNotFound";
  public static final String AUTHENTICATION_FAILED = "AuthenticationFailed";
  public static final String PERMISSION_DENIED = "PermissionDenied";
  public static final String DATABASE_NOT_FOUND = "DatabaseNotFound";
  /** Retryable: the server could not be reached or dropped the connection. */
  public static final String DATABASE_UNAVAILABLE = "DatabaseUnavailable";
  public static final String TOOL_NOT_FOUND = "ToolNotFound";
  public static final String TOOL_TOO_OLD = "ToolTooOld";
  public static final String DUMP_FAILED = "DumpFailed";
  public static final String STORAGE_AUTHENTICATION_FAILED = "StorageAuthenticationFailed";
  public static final String STORAGE_ACCESS_DENIED = "StorageAccessDenied";
  public static final String BUCKET_NOT_FOUND = "BucketNotFound";
  public static final String STORAGE_REQUEST_REJECTED = "StorageRequestRejected";
  /** Retryable: the S3 endpoint could not be reached or answered with a server error. */
  public static final String STORAGE_UNAVAILABLE = "StorageUnavailable";
  public static final String BACKUP_NOT_FOUND = "BackupNotFound";
  public static final String CHECKSUM_MISMATCH = "ChecksumMismatch";
  public static final String RESTORE_FAILED = "RestoreFailed";
  public static final String SMOKE_CHECK_FAILED = "SmokeCheckFailed";
  /** A database of the name a step wants to create or drop exists and was not made by a restore. */
  public static final String NOT_A_SCRATCH_DATABASE = "NotAScratchDatabase";
  public static final String SCRATCH_NOT_FOUND = "ScratchNotFound";

  private FailureTypes() {}
}
