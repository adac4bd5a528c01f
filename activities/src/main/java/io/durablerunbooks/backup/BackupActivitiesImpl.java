package io.durablerunbooks.backup;

import io.durablerunbooks.activities.FailureTypes;
import io.durablerunbooks.activities.Heartbeat;
import io.durablerunbooks.activities.Streams;
import io.durablerunbooks.postgres.PgProcess;
import io.durablerunbooks.postgres.PgTools;
import io.durablerunbooks.postgres.PgTools.ClientTool;
import io.durablerunbooks.postgres.PostgresConnection;
import io.durablerunbooks.postgres.PostgresPools;
import io.durablerunbooks.postgres.ServerVersion;
import io.durablerunbooks.storage.MultipartUploadStream;
import io.durablerunbooks.storage.StorageLocation;
import io.durablerunbooks.storage.StoredObjects;
import io.durablerunbooks.storage.StoredObjects.ObjectDigest;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.io.OutputStream;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The backup steps: PostgreSQL through pg_dump, compression and SHA-256 into S3. */
public final class BackupActivitiesImpl implements BackupActivities {

  private static final Logger log = LoggerFactory.getLogger(BackupActivitiesImpl.class);

  private static final String FIELD = "database";
  /**
   * Parts queued or uploading while the next one fills. Measured on 2 cores against S3Proxy with
   * 16 MiB parts: 2 keeps the uploader busy; 3 gained nothing, and 8 MiB parts were slower.
   */
  static final int PARTS_IN_FLIGHT = 2;
  /**
   * zstd's own threads, so compression runs beside the thread that reads pg_dump's pipe; 2 was a
   * little faster than 1 or 0 in the same measurement, and costs nothing on more cores.
   */
  static final int ZSTD_WORKERS = 2;
  static final int MAX_PARTS = 10_000;
  /**
   * How long (ms) pg_dump waits for a table lock before failing, retryably: longer than routine
   * DDL, shorter than leaving a backup stuck behind a forgotten transaction.
   */
  static final String LOCK_WAIT = "300000";
  static final long MAX_PART_SIZE = 1L << 30;

  /** A DumpAndUpload heartbeat: how far the attempt got, and which upload a retry must abort. */
  record DumpProgress(String uploadId, long dumpBytes, long storedBytes, long uploadedBytes, int partsUploaded) {}

  private record ServerFacts(ServerVersion server, long databaseBytes) {}

  private final PostgresPools pools;
  private final PgTools tools;
  private final StoredObjects objects;
  private final Manifests manifests;

  public BackupActivitiesImpl(PostgresPools pools, PgTools tools, StoredObjects objects, Manifests manifests) {
    this.pools = Objects.requireNonNull(pools, "pools");
    this.tools = Objects.requireNonNull(tools, "tools");
    this.objects = Objects.requireNonNull(objects, "objects");
    this.manifests = Objects.requireNonNull(manifests, "manifests");
  }

  @Override
  public DatabaseInfo checkDatabase(PostgresConnection database) {
    ServerFacts facts = serverFacts(database);
    ClientTool pgDump = tools.forServer("pg_dump", facts.server().major());
    return new DatabaseInfo(
        facts.server().version(), facts.server().versionNum(), facts.databaseBytes(), pgDump.describe());
  }

  @Override
  public void checkStorage(StorageLocation storage) {
    objects.checkWritable(storage);
  }

  @Override
  public UploadedBackup dumpAndUpload(DumpRequest request) {
    BackupOptions options = request.options();
    validate(options);
    requireKey(request.objectKey());
    StorageLocation storage = request.storage();
    String key = request.objectKey();
    discardUploads(storage, key);

    PostgresConnection database = request.database();
    ServerFacts facts = serverFacts(database);
    ClientTool pgDump = tools.forServer("pg_dump", facts.server().major());
    int partSize = partSize(options.partSizeBytes(), facts.databaseBytes());
    Map<String, String> metadata =
        Map.of(
            "runbooks-format", "pg_dump-custom",
            "runbooks-compression", options.compression().name().toLowerCase(Locale.ROOT),
            "runbooks-pg-dump", pgDump.version());
    MultipartUploadStream upload = objects.upload(storage, key, metadata, partSize, PARTS_IN_FLIGHT);
    try {
      return dumpInto(upload, database, pgDump, options);
    } catch (RuntimeException | Error e) {
      upload.abort();
      throw e;
    }
  }

  private UploadedBackup dumpInto(
      MultipartUploadStream upload,
      PostgresConnection database,
      ClientTool pgDump,
      BackupOptions options) {
    long started = System.nanoTime();
    AtomicLong dumped = new AtomicLong();
    List<String> arguments =
        List.of("--format=custom", "--compress=0", "--no-password", "--lock-wait-timeout=" + LOCK_WAIT);
    try (PgProcess dump = PgProcess.start(pgDump, arguments, database, FIELD, pools);
        Heartbeat heartbeat =
            Heartbeat.start(
                () -> new DumpProgress(
                    upload.uploadId(), dumped.get(), upload.bytesWritten(), upload.bytesUploaded(),
                    upload.partsUploaded()),
                dump::close)) {
      try (OutputStream compressed =
          CompressionStreams.compress(options.compression(), options.level(), ZSTD_WORKERS, upload)) {
        Streams.copy(dump.stdout(), compressed, dumped::set);
      } catch (IOException e) {
        heartbeat.check();
        throw ApplicationFailure.newFailureWithCause(
            FIELD + ": the dump stream of " + database.database() + " broke off (" + e.getMessage() + "); retrying",
            FailureTypes.DUMP_FAILED,
            e);
      }
      int exit = dump.waitFor();
      heartbeat.check();
      if (exit != 0) {
        throw dump.failure(exit, FailureTypes.DUMP_FAILED, true);
      }
      MultipartUploadStream.Result stored = upload.complete();
      long millis = millisSince(started);
      log.info(
          "dumped {} bytes of {} into {} ({} bytes, {} parts) in {} ms",
          dumped.get(), database, upload.uri(), stored.bytes(), stored.parts(), millis);
      return new UploadedBackup(
          stored.key(), dumped.get(), stored.bytes(), stored.sha256(), stored.parts(), millis, pgDump.describe());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for pg_dump", e);
    }
  }

  @Override
  public VerifiedBackup verifyBackup(VerifyRequest request) {
    StorageLocation storage = request.storage();
    String key = request.key();
    long started = System.nanoTime();
    long size =
        objects
            .size(storage, key)
            .orElseThrow(
                () -> ApplicationFailure.newNonRetryableFailure(
                    storage.uri(key) + " does not exist: the upload did not complete; run the backup again",
                    FailureTypes.BACKUP_NOT_FOUND));
    if (size != request.expectedBytes()) {
      throw ApplicationFailure.newNonRetryableFailure(
          storage.uri(key) + " holds " + size + " bytes but " + request.expectedBytes()
              + " were uploaded; the stored object is not the backup, run the backup again",
          FailureTypes.CHECKSUM_MISMATCH);
    }
    if (!request.readBack()) {
      return new VerifiedBackup(key, size, request.expectedSha256(), "size", millisSince(started));
    }
    ObjectDigest digest = objects.sha256(storage, key);
    if (digest.bytes() != request.expectedBytes() || !digest.sha256().equals(request.expectedSha256())) {
      throw ApplicationFailure.newNonRetryableFailure(
          storage.uri(key) + " read back as " + digest.bytes() + " bytes with SHA-256 " + digest.sha256()
              + ", but " + request.expectedBytes() + " bytes with SHA-256 " + request.expectedSha256()
              + " were uploaded; the stored object is damaged, run the backup again",
          FailureTypes.CHECKSUM_MISMATCH);
    }
    return new VerifiedBackup(key, digest.bytes(), digest.sha256(), "sha256-read-back", millisSince(started));
  }

  @Override
  public void writeManifest(StorageLocation storage, BackupManifest manifest) {
    manifests.write(storage, manifest);
  }

  @Override
  public RetentionResult applyRetention(RetentionRequest request) {
    RetentionPolicy policy = request.policy();
    if (policy.daily() < 0 || policy.weekly() < 0) {
      throw ApplicationFailure.newNonRetryableFailure(
          "retention: daily and weekly must be 0 or more, got daily " + policy.daily() + ", weekly " + policy.weekly(),
          FailureTypes.INVALID_INPUT);
    }
    StorageLocation storage = request.storage();
    List<BackupManifest> backups = manifests.list(storage, request.backupsPrefix());
    RetentionResult result = RetentionPlan.decide(backups, policy, request.protectedKey(), request.now());
    if (!request.dryRun()) {
      for (String key : result.deleted()) {
        // Object first: a manifest left alone by a crash is deleted by the next run, while an
        // object left without its manifest would be taken for an upload in progress and kept.
        objects.delete(storage, key);
        objects.delete(storage, BackupManifest.manifestKey(key));
        log.info("retention deleted {}", storage.uri(key));
      }
    }
    return result;
  }

  @Override
  public void discardBackup(StorageLocation storage, String key) {
    requireKey(key);
    for (String uploadId : objects.uploadsInProgress(storage, key)) {
      objects.abortUpload(storage, key, uploadId);
    }
    objects.delete(storage, key);
    objects.delete(storage, BackupManifest.manifestKey(key));
  }

  /** A retried attempt starts clean: the uploads earlier attempts left for this key are aborted. */
  private void discardUploads(StorageLocation storage, String key) {
    Set<String> uploadIds = new LinkedHashSet<>();
    Heartbeat.previousAttempt(DumpProgress.class)
        .ifPresent(
            previous -> {
              log.info(
                  "previous attempt of {} stored {} bytes in upload {}; starting over",
                  storage.uri(key), previous.storedBytes(), previous.uploadId());
              uploadIds.add(previous.uploadId());
            });
    uploadIds.addAll(objects.uploadsInProgress(storage, key));
    for (String uploadId : uploadIds) {
      objects.abortUpload(storage, key, uploadId);
    }
  }

  private ServerFacts serverFacts(PostgresConnection database) {
    return pools.withConnection(
        database,
        FIELD,
        connection -> {
          try (Statement statement = connection.createStatement();
              ResultSet row = statement.executeQuery("select pg_database_size(current_database())")) {
            row.next();
            return new ServerFacts(ServerVersion.of(connection), row.getLong(1));
          }
        });
  }

  /**
   * The requested part size, raised when the database is so large that its dump might need more
   * than S3's 10,000 parts: twice its on-disk size is a generous bound for a custom-format dump.
   */
  static int partSize(long requested, long databaseBytes) {
    long mib = 1L << 20;
    long needed = ((2 * databaseBytes / MAX_PARTS) + mib - 1) / mib * mib;
    long size = Math.max(requested, needed);
    if (size > MAX_PART_SIZE) {
      throw ApplicationFailure.newNonRetryableFailure(
          "database: " + databaseBytes + " bytes is more than a streamed backup can hold (10,000 parts of at most 1 GiB)",
          FailureTypes.INVALID_INPUT);
    }
    return (int) size;
  }

  private static void validate(BackupOptions options) {
    Compression compression = options.compression();
    if (options.level() < compression.minLevel() || options.level() > compression.maxLevel()) {
      throw ApplicationFailure.newNonRetryableFailure(
          "options.level: " + options.level() + " is not a " + compression.name().toLowerCase(Locale.ROOT)
              + " level; use " + compression.minLevel() + " to " + compression.maxLevel(),
          FailureTypes.INVALID_INPUT);
    }
    if (options.partSizeBytes() < BackupOptions.MIN_PART_SIZE || options.partSizeBytes() > MAX_PART_SIZE) {
      throw ApplicationFailure.newNonRetryableFailure(
          "options.partSizeBytes: " + options.partSizeBytes() + " is outside what S3 multipart allows here; use "
              + BackupOptions.MIN_PART_SIZE + " (5 MiB) to " + MAX_PART_SIZE + " (1 GiB)",
          FailureTypes.INVALID_INPUT);
    }
  }

  private static void requireKey(String key) {
    if (key.isBlank() || key.startsWith("/")) {
      throw ApplicationFailure.newNonRetryableFailure(
          "objectKey: '" + key + "' is not an object key; it must be a non-empty path without a leading slash",
          FailureTypes.INVALID_INPUT);
    }
  }

  private static long millisSince(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1_000_000;
  }
}
