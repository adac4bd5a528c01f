package io.durablerunbooks.storage;

import io.durablerunbooks.activities.FailureTypes;
import io.durablerunbooks.activities.Heartbeat;
import io.durablerunbooks.activities.Sha256;
import io.durablerunbooks.activities.Streams;
import io.temporal.failure.ApplicationFailure;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadBucketRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsRequest;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The object operations runbooks need, on the bucket a {@link StorageLocation} names. Every SDK
 * error leaves here classified by {@link S3Errors}; a missing object is an empty result or a
 * non-retryable {@code BackupNotFound}, as each method says.
 */
public final class StoredObjects {

  /** The object a write check puts and deletes, under the location's prefix. */
  private static final String WRITE_CHECK = ".runbooks-write-check";

  /** Size and SHA-256 of an object as read back. */
  public record ObjectDigest(long bytes, String sha256) {}

  private final S3Clients clients;

  public StoredObjects(S3Clients clients) {
    this.clients = Objects.requireNonNull(clients, "clients");
  }

  /** The bucket exists and these credentials may write to it and delete from it. */
  public void checkWritable(StorageLocation storage) {
    S3Client s3 = clients.client(storage);
    String operation = "access to bucket " + storage.bucket();
    S3Exception headDenied = null;
    try {
      s3.headBucket(HeadBucketRequest.builder().bucket(storage.bucket()).build());
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        throw ApplicationFailure.newNonRetryableFailure(
            "storage.bucket: bucket '" + storage.bucket() + "' does not exist at " + S3Errors.where(storage)
                + "; create it or fix storage.bucket",
            FailureTypes.BUCKET_NOT_FOUND);
      }
      if (e.statusCode() != 403) {
        throw S3Errors.classify(e, storage, operation);
      }
      // A HEAD answer has no body, hence no error code; the write below gets one, which tells a
      // wrong key from a wrong secret from a missing permission.
      headDenied = e;
    } catch (SdkException e) {
      throw S3Errors.classify(e, storage, operation);
    }
    String key = storage.key(WRITE_CHECK);
    write(storage, key, new byte[0], "application/octet-stream");
    delete(storage, key);
    if (headDenied != null) {
      throw S3Errors.classify(headDenied, storage, operation);
    }
  }

  /** The object's size, or empty when there is no such object. */
  public Optional<Long> size(StorageLocation storage, String key) {
    try {
      return Optional.of(
          clients.client(storage).headObject(HeadObjectRequest.builder().bucket(storage.bucket()).key(key).build())
              .contentLength());
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return Optional.empty();
      }
      throw S3Errors.classify(e, storage, "reading the size of " + storage.uri(key));
    } catch (SdkException e) {
      throw S3Errors.classify(e, storage, "reading the size of " + storage.uri(key));
    }
  }

  /**
   * Streams the object for reading; the caller closes it.
   *
   * @throws ApplicationFailure non-retryable {@code BackupNotFound} when there is no such object
   */
  public InputStream open(StorageLocation storage, String key) {
    try {
      return new AbortingInputStream(
          clients.client(storage).getObject(GetObjectRequest.builder().bucket(storage.bucket()).key(key).build()));
    } catch (NoSuchKeyException e) {
      throw ApplicationFailure.newNonRetryableFailure(
          storage.uri(key) + " does not exist at " + S3Errors.where(storage)
              + "; it was deleted or never completed, pick another backup",
          FailureTypes.BACKUP_NOT_FOUND);
    } catch (SdkException e) {
      throw S3Errors.classify(e, storage, "reading " + storage.uri(key));
    }
  }

  /** Reads the whole object and hashes it; heartbeats the bytes read, as an activity. */
  public ObjectDigest sha256(StorageLocation storage, String key) {
    MessageDigest digest = Sha256.newDigest();
    AtomicLong read = new AtomicLong();
    try (InputStream in = new DigestInputStream(open(storage, key), digest);
        Heartbeat heartbeat = Heartbeat.start(read::get, () -> {})) {
      long bytes =
          Streams.copy(
              in,
              OutputStream.nullOutputStream(),
              done -> {
                read.set(done);
                heartbeat.check();
              });
      return new ObjectDigest(bytes, Sha256.hex(digest));
    } catch (IOException e) {
      throw S3Errors.readFailed(e, storage, key);
    }
  }

  /** A small object (a manifest) in full, or empty when there is no such object. */
  public Optional<byte[]> read(StorageLocation storage, String key) {
    try {
      return Optional.of(
          clients.client(storage)
              .getObjectAsBytes(GetObjectRequest.builder().bucket(storage.bucket()).key(key).build())
              .asByteArray());
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (SdkException e) {
      throw S3Errors.classify(e, storage, "reading " + storage.uri(key));
    }
  }

  public void write(StorageLocation storage, String key, byte[] body, String contentType) {
    try {
      clients.client(storage)
          .putObject(
              PutObjectRequest.builder().bucket(storage.bucket()).key(key).contentType(contentType).build(),
              RequestBody.fromBytes(body));
    } catch (SdkException e) {
      throw S3Errors.classify(e, storage, "writing " + storage.uri(key));
    }
  }

  /** Deletes the object; deleting an object that is not there is not an error. */
  public void delete(StorageLocation storage, String key) {
    try {
      clients.client(storage).deleteObject(DeleteObjectRequest.builder().bucket(storage.bucket()).key(key).build());
    } catch (NoSuchKeyException e) {
      // Already gone: what the caller wanted.
    } catch (SdkException e) {
      throw S3Errors.classify(e, storage, "deleting " + storage.uri(key));
    }
  }

  /** Every key under {@code prefix}, at any depth. */
  public List<String> list(StorageLocation storage, String prefix) {
    List<String> keys = new ArrayList<>();
    try {
      clients.client(storage)
          .listObjectsV2Paginator(ListObjectsV2Request.builder().bucket(storage.bucket()).prefix(prefix).build())
          .contents()
          .stream()
          .map(S3Object::key)
          .forEach(keys::add);
    } catch (SdkException e) {
      throw S3Errors.classify(e, storage, "listing " + storage.uri(prefix));
    }
    return keys;
  }

  /** Ids of the multipart uploads in progress for exactly {@code key}. */
  public List<String> uploadsInProgress(StorageLocation storage, String key) {
    List<String> ids = new ArrayList<>();
    try {
      ListMultipartUploadsRequest request =
          ListMultipartUploadsRequest.builder().bucket(storage.bucket()).prefix(key).build();
      while (request != null) {
        ListMultipartUploadsResponse page = clients.client(storage).listMultipartUploads(request);
        page.uploads().stream().filter(u -> u.key().equals(key)).map(MultipartUpload::uploadId).forEach(ids::add);
        request = Boolean.TRUE.equals(page.isTruncated())
            ? request.toBuilder().keyMarker(page.nextKeyMarker()).uploadIdMarker(page.nextUploadIdMarker()).build()
            : null;
      }
    } catch (SdkException e) {
      throw S3Errors.classify(e, storage, "listing uploads in progress for " + storage.uri(key));
    }
    return ids;
  }

  /** Aborts the upload; an upload that no longer exists is not an error. */
  public void abortUpload(StorageLocation storage, String key, String uploadId) {
    try {
      clients.client(storage)
          .abortMultipartUpload(
              AbortMultipartUploadRequest.builder().bucket(storage.bucket()).key(key).uploadId(uploadId).build());
    } catch (NoSuchUploadException e) {
      // Completed or aborted by someone else already.
    } catch (SdkException e) {
      throw S3Errors.classify(e, storage, "aborting upload " + uploadId + " of " + storage.uri(key));
    }
  }

  /**
   * Starts a multipart upload of {@code key} with the location's storage class.
   *
   * @param metadata user metadata stored with the object ({@code x-amz-meta-*})
   */
  public MultipartUploadStream upload(
      StorageLocation storage, String key, Map<String, String> metadata, int partSize, int partsInFlight) {
    S3Client s3 = clients.client(storage);
    CreateMultipartUploadRequest.Builder request =
        CreateMultipartUploadRequest.builder()
            .bucket(storage.bucket())
            .key(key)
            .contentType("application/octet-stream")
            .metadata(metadata);
    if (!storage.storageClass().isEmpty()) {
      request.storageClass(storage.storageClass());
    }
    try {
      String uploadId = s3.createMultipartUpload(request.build()).uploadId();
      return new MultipartUploadStream(s3, this, storage, key, uploadId, partSize, partsInFlight);
    } catch (SdkException e) {
      throw S3Errors.classify(e, storage, "starting the upload of " + storage.uri(key));
    }
  }

  /**
   * Closing a response stream before its end would otherwise read the rest of the object to reuse
   * the connection: after a failure half-way through a large backup, the connection is dropped.
   */
  private static final class AbortingInputStream extends FilterInputStream {

    private final ResponseInputStream<GetObjectResponse> response;
    private boolean ended;

    AbortingInputStream(ResponseInputStream<GetObjectResponse> response) {
      super(response);
      this.response = response;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      ended |= b < 0;
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n = super.read(buffer, offset, length);
      ended |= n < 0;
      return n;
    }

    @Override
    public void close() throws IOException {
      if (!ended) {
        response.abort();
      }
      super.close();
    }
  }
}
