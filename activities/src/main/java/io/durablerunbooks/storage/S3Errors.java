package io.durablerunbooks.storage;

import io.durablerunbooks.activities.FailureTypes;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Sorts S3 errors into refusals a retry cannot change (credentials, missing bucket, rejected
 * request: non-retryable, naming the field to fix) and transient faults (network, 5xx, throttling:
 * retryable). Credentials are only ever named by their reference.
 */
public final class S3Errors {

  private S3Errors() {}

  /** @param operation what was attempted, e.g. {@code upload of s3://bucket/key} */
  public static ApplicationFailure classify(SdkException error, StorageLocation storage, String operation) {
    String where = where(storage);
    if (!(error instanceof S3Exception s3)) {
      return ApplicationFailure.newFailure(
          "storage.endpoint: cannot reach " + where + " for " + operation + " (" + error.getMessage()
              + "); retrying. Check that the endpoint is right and the server runs",
          FailureTypes.STORAGE_UNAVAILABLE);
    }
    int status = s3.statusCode();
    String code = s3.awsErrorDetails() == null || s3.awsErrorDetails().errorCode() == null
        ? ""
        : s3.awsErrorDetails().errorCode();
    String answer = "HTTP " + status + (code.isEmpty() ? "" : " " + code);
    String detail = s3.awsErrorDetails() == null || s3.awsErrorDetails().errorMessage() == null
        ? ""
        : ": " + s3.awsErrorDetails().errorMessage();
    if (code.equals("NoSuchBucket")) {
      return ApplicationFailure.newNonRetryableFailure(
          "storage.bucket: bucket '" + storage.bucket() + "' does not exist at " + where
              + "; create it or fix storage.bucket",
          FailureTypes.BUCKET_NOT_FOUND);
    }
    if (code.equals("InvalidAccessKeyId")) {
      return ApplicationFailure.newNonRetryableFailure(
          "storage.accessKeyId: " + where + " does not know the access key in " + storage.accessKeyId()
              + " (" + answer + "); put the right key where the reference points",
          FailureTypes.STORAGE_AUTHENTICATION_FAILED);
    }
    if (code.equals("SignatureDoesNotMatch")) {
      return ApplicationFailure.newNonRetryableFailure(
          "storage.secretAccessKey: " + where + " rejected the request signature (" + answer + "): the secret key in "
              + storage.secretAccessKey() + " does not belong to the access key in " + storage.accessKeyId()
              + "; put the matching secret where the reference points",
          FailureTypes.STORAGE_AUTHENTICATION_FAILED);
    }
    if (status == 403) {
      return ApplicationFailure.newNonRetryableFailure(
          "storage.accessKeyId: " + where + " denied " + operation + " (" + answer + ") to the credentials in "
              + storage.accessKeyId() + "; check the key pair, or grant it access to bucket '" + storage.bucket() + "'",
          FailureTypes.STORAGE_ACCESS_DENIED);
    }
    if (code.equals("InvalidStorageClass")) {
      return ApplicationFailure.newNonRetryableFailure(
          "storage.storageClass: " + where + " does not accept storage class '" + storage.storageClass()
              + "'; use one it offers, e.g. STANDARD",
          FailureTypes.INVALID_INPUT);
    }
    if (status >= 500 || status == 408 || status == 429) {
      return ApplicationFailure.newFailure(
          "storage: " + where + " answered " + answer + " to " + operation + "; retrying",
          FailureTypes.STORAGE_UNAVAILABLE);
    }
    return ApplicationFailure.newNonRetryableFailure(
        "storage: " + where + " rejected " + operation + " (" + answer + detail + ")",
        FailureTypes.STORAGE_REQUEST_REJECTED);
  }

  /** A stream from S3 broke mid-way: the connection, not the data, so a retry reads it again. */
  public static ApplicationFailure readFailed(IOException error, StorageLocation storage, String key) {
    return ApplicationFailure.newFailure(
        "storage: reading " + storage.uri(key) + " from " + where(storage) + " broke off (" + error.getMessage()
            + "); retrying",
        FailureTypes.STORAGE_UNAVAILABLE);
  }

  static String where(StorageLocation storage) {
    return storage.endpoint().isEmpty() ? "AWS S3 (" + storage.region() + ")" : storage.endpoint();
  }
}
