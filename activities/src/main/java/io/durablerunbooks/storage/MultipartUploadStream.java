package io.durablerunbooks.storage;

import io.durablerunbooks.activities.DaemonThreads;
import io.durablerunbooks.activities.Sha256;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/**
 * An S3 multipart upload written as a stream, with no temporary file. Each full part is hashed (in
 * order, on its own thread, so SHA-256 runs beside the writer) and then uploaded while the writer
 * fills the next one; at most {@code partsInFlight} parts wait or travel at once, so memory stays at
 * {@code (partsInFlight + 1) * partSize} and a slow server slows the writer down instead of
 * filling the heap. Nothing is visible under the key until {@link #complete()}; {@link #abort()}
 * removes every uploaded part.
 *
 * <p>Failures of the upload are thrown from {@code write} and {@code complete} already classified
 * (see {@link S3Errors}).
 */
public final class MultipartUploadStream extends OutputStream {

  /** What a completed upload stored. */
  public record Result(String key, long bytes, String sha256, int parts) {}

  private static final Logger log = LoggerFactory.getLogger(MultipartUploadStream.class);
  private static final String CONTENT_TYPE = "application/octet-stream";

  private final S3Client s3;
  private final StoredObjects objects;
  private final StorageLocation storage;
  private final String key;
  private final String uploadId;
  private final int partSize;
  private final int maxBuffers;
  private final BlockingQueue<byte[]> freeBuffers;
  private final ExecutorService hasher;
  private final ExecutorService uploaders;
  private final MessageDigest digest = Sha256.newDigest();
  private final List<CompletableFuture<CompletedPart>> parts = new ArrayList<>();
  private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
  private final AtomicInteger partsUploaded = new AtomicInteger();
  private final AtomicLong bytesUploaded = new AtomicLong();

  private int buffersAllocated;
  private byte[] current;
  private int position;
  private volatile long bytes;
  private boolean finished;
  private boolean failureThrown;

  MultipartUploadStream(
      S3Client s3,
      StoredObjects objects,
      StorageLocation storage,
      String key,
      String uploadId,
      int partSize,
      int partsInFlight) {
    this.s3 = s3;
    this.objects = objects;
    this.storage = storage;
    this.key = key;
    this.uploadId = uploadId;
    this.partSize = partSize;
    this.maxBuffers = partsInFlight + 1;
    this.freeBuffers = new ArrayBlockingQueue<>(maxBuffers);
    this.hasher = Executors.newSingleThreadExecutor(DaemonThreads.named("sha256 " + key));
    this.uploaders = Executors.newFixedThreadPool(partsInFlight, DaemonThreads.named("upload " + key));
  }

  public String uploadId() {
    return uploadId;
  }

  public String uri() {
    return storage.uri(key);
  }

  /** Bytes written to the stream so far. */
  public long bytesWritten() {
    return bytes;
  }

  /** Bytes of the parts S3 has acknowledged. */
  public long bytesUploaded() {
    return bytesUploaded.get();
  }

  public int partsUploaded() {
    return partsUploaded.get();
  }

  @Override
  public void write(int b) {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] data, int offset, int length) {
    throwIfFailed();
    if (finished) {
      throw new IllegalStateException("upload of " + key + " is already finished");
    }
    while (length > 0) {
      if (current == null) {
        current = nextBuffer();
        position = 0;
      }
      int n = Math.min(length, partSize - position);
      System.arraycopy(data, offset, current, position, n);
      position += n;
      offset += n;
      length -= n;
      bytes += n;
      if (position == partSize) {
        submitPart();
      }
    }
  }

  /** Closing only marks the end of writing; {@link #complete()} or {@link #abort()} decide. */
  @Override
  public void close() {
    // A compressor wrapped around this stream closes it when it finishes its frame; the upload
    // itself must still be completed or aborted by its owner.
  }

  /** Uploads what is left, waits for every part, and completes the upload. */
  public Result complete() {
    throwIfFailed();
    if ((current != null && position > 0) || parts.isEmpty()) {
      if (current == null) {
        current = nextBuffer();
        position = 0;
      }
      submitPart();
    }
    finished = true;
    List<CompletedPart> done = new ArrayList<>();
    try {
      for (CompletableFuture<CompletedPart> part : parts) {
        done.add(part.join());
      }
    } catch (CompletionException e) {
      throwIfFailed();
      throw e;
    }
    done.sort(Comparator.comparingInt(CompletedPart::partNumber));
    try {
      s3.completeMultipartUpload(
          CompleteMultipartUploadRequest.builder()
              .bucket(storage.bucket())
              .key(key)
              .uploadId(uploadId)
              .multipartUpload(CompletedMultipartUpload.builder().parts(done).build())
              .build());
    } catch (SdkException e) {
      throw S3Errors.classify(e, storage, "completing the upload of " + storage.uri(key));
    } finally {
      shutdown();
    }
    // Every part's future completed after its digest update, so the digest is whole here.
    return new Result(key, bytes, Sha256.hex(digest), done.size());
  }

  /** Stops the upload and removes its parts from S3; safe to call more than once. */
  public void abort() {
    finished = true;
    shutdown();
    try {
      hasher.awaitTermination(30, TimeUnit.SECONDS);
      uploaders.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      objects.abortUpload(storage, key, uploadId);
    } catch (RuntimeException e) {
      // The next attempt lists and aborts what is left under this key, so the step's own error
      // stays the one reported.
      log.warn("could not abort upload {} of {}: {}", uploadId, storage.uri(key), e.getMessage());
    }
  }

  private void submitPart() {
    byte[] buffer = current;
    int length = position;
    int number = parts.size() + 1;
    current = null;
    position = 0;
    CompletableFuture<CompletedPart> part =
        CompletableFuture.runAsync(() -> digest.update(buffer, 0, length), hasher)
            .thenApplyAsync(ignored -> uploadPart(number, buffer, length), uploaders)
            .whenComplete(
                (done, error) -> {
                  freeBuffers.offer(buffer);
                  if (error != null) {
                    failure.compareAndSet(null, classify(error, number));
                  }
                });
    parts.add(part);
  }

  private CompletedPart uploadPart(int number, byte[] buffer, int length) {
    var response =
        s3.uploadPart(
            UploadPartRequest.builder()
                .bucket(storage.bucket())
                .key(key)
                .uploadId(uploadId)
                .partNumber(number)
                .contentLength((long) length)
                .build(),
            RequestBody.fromContentProvider(() -> new ByteArrayInputStream(buffer, 0, length), length, CONTENT_TYPE));
    partsUploaded.incrementAndGet();
    bytesUploaded.addAndGet(length);
    return CompletedPart.builder().partNumber(number).eTag(response.eTag()).build();
  }

  private RuntimeException classify(Throwable error, int number) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (cause instanceof SdkException sdk) {
      return S3Errors.classify(sdk, storage, "upload of part " + number + " of " + storage.uri(key));
    }
    return cause instanceof RuntimeException runtime ? runtime : new IllegalStateException(cause);
  }

  /** A free part buffer; blocks while every buffer is on its way to S3, which is the back-pressure. */
  private byte[] nextBuffer() {
    byte[] buffer = freeBuffers.poll();
    if (buffer != null) {
      return buffer;
    }
    if (buffersAllocated < maxBuffers) {
      buffersAllocated++;
      return new byte[partSize];
    }
    try {
      while (buffer == null) {
        throwIfFailed();
        buffer = freeBuffers.poll(200, TimeUnit.MILLISECONDS);
      }
      return buffer;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a part of " + key + " to upload", e);
    }
  }

  /**
   * Throws the upload's failure the first time, a new exception after that: a compressor closed by
   * try-with-resources writes again after the failure, and rethrowing the same instance there would
   * make Java's self-suppression check replace the real error.
   */
  private void throwIfFailed() {
    RuntimeException error = failure.get();
    if (error == null) {
      return;
    }
    if (!failureThrown) {
      failureThrown = true;
      throw error;
    }
    throw new IllegalStateException("the upload of " + uri() + " failed earlier: " + error.getMessage());
  }

  private void shutdown() {
    hasher.shutdown();
    uploaders.shutdownNow();
  }
}
