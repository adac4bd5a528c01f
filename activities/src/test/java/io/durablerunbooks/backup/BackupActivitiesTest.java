package io.durablerunbooks.backup;

import static io.durablerunbooks.activities.LocalStack.applicationFailure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.durablerunbooks.activities.ActivityImplementations;
import io.durablerunbooks.activities.FailureTypes;
import io.durablerunbooks.activities.LocalStack;
import io.durablerunbooks.postgres.PostgresConnection;
import io.durablerunbooks.secrets.SecretRef;
import io.durablerunbooks.secrets.SecretResolver;
import io.durablerunbooks.storage.StorageLocation;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.Statement;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

class BackupActivitiesTest {

  private static final long PART = BackupOptions.MIN_PART_SIZE;

  private static String database;
  private static S3Client s3;

  private ActivityImplementations implementations;
  private TestActivityEnvironment environment;
  private BackupActivities backup;
  private String prefix;

  @BeforeAll
  static void createDatabase() throws Exception {
    LocalStack.requireUp();
    database = LocalStack.unique("backup_test");
    LocalStack.createDatabase(database);
    LocalStack.fillSampleData(database, 20_000);
    s3 = LocalStack.s3();
  }

  @AfterAll
  static void dropDatabase() throws Exception {
    LocalStack.dropDatabase(database);
    s3.close();
  }

  @BeforeEach
  void start() {
    implementations = ActivityImplementations.create(new SecretResolver(Map.of()));
    environment = LocalStack.activityEnvironment(implementations.all());
    backup = environment.newActivityStub(BackupActivities.class, LocalStack.activityOptions());
    prefix = LocalStack.unique("test/backup");
  }

  @AfterEach
  void stop() {
    environment.close();
    implementations.close();
    LocalStack.deletePrefix(s3, prefix);
  }

  private StorageLocation storage() {
    return LocalStack.storage(prefix);
  }

  private DumpRequest dump(String key, Compression compression, int level) {
    return new DumpRequest(
        LocalStack.database(database), storage(), key, new BackupOptions(compression, level, true, PART));
  }

  @Test
  void checkDatabaseReportsServerAndTool() {
    DatabaseInfo info = backup.checkDatabase(LocalStack.database(database));

    assertThat(info.serverVersion()).startsWith("PostgreSQL 15.");
    assertThat(info.serverVersionNum()).isBetween(150000, 159999);
    assertThat(info.databaseSizeBytes()).isGreaterThan(1_000_000);
    assertThat(info.clientToolVersion()).startsWith("pg_dump 15.");
  }

  @Test
  void checkStorageWritesAndRemovesItsProbe() {
    backup.checkStorage(storage());

    assertThat(LocalStack.keys(s3, prefix)).isEmpty();
  }

  @Test
  void zstdBackupReachesS3VerifiesAndGetsItsManifest() throws Exception {
    String key = prefix + "/db.dump.zst";

    UploadedBackup uploaded = backup.dumpAndUpload(dump(key, Compression.ZSTD, 3));

    HeadObjectResponse head = s3.headObject(b -> b.bucket(LocalStack.BUCKET).key(key));
    assertThat(head.contentLength()).isEqualTo(uploaded.storedBytes());
    assertThat(head.contentType()).isEqualTo("application/octet-stream");
    assertThat(uploaded.parts()).isGreaterThan(1);
    assertThat(uploaded.dumpBytes()).isGreaterThan(uploaded.storedBytes());
    assertThat(uploaded.pgDumpVersion()).startsWith("pg_dump 15.");
    byte[] stored = s3.getObjectAsBytes(b -> b.bucket(LocalStack.BUCKET).key(key)).asByteArray();
    assertThat(uploaded.sha256()).isEqualTo(sha256(stored));
    assertThat(decompressZstd(stored)).startsWith("PGDMP".getBytes());
    assertThat(LocalStack.uploads(s3, prefix)).isEmpty();

    VerifiedBackup verified =
        backup.verifyBackup(new VerifyRequest(storage(), key, uploaded.storedBytes(), uploaded.sha256(), true));
    assertThat(verified.method()).isEqualTo("sha256-read-back");
    assertThat(verified.sha256()).isEqualTo(uploaded.sha256());

    BackupManifest manifest = manifest(key, uploaded, Instant.parse("2026-11-20T03:00:00Z"), true);
    backup.writeManifest(storage(), manifest);
    String json = s3.getObjectAsBytes(b -> b.bucket(LocalStack.BUCKET).key(key + ".manifest.json")).asUtf8String();
    assertThat(json).contains("\"startedAt\" : \"2026-11-20T03:00:00Z\"").contains(uploaded.sha256());
  }

  @Test
  void gzipBackupIsAGzipOfTheDump() throws Exception {
    String key = prefix + "/db.dump.gz";

    UploadedBackup uploaded = backup.dumpAndUpload(dump(key, Compression.GZIP, 1));

    byte[] stored = s3.getObjectAsBytes(b -> b.bucket(LocalStack.BUCKET).key(key)).asByteArray();
    assertThat(sha256(stored)).isEqualTo(uploaded.sha256());
    byte[] dump = new GZIPInputStream(new ByteArrayInputStream(stored)).readAllBytes();
    assertThat((long) dump.length).isEqualTo(uploaded.dumpBytes());
    assertThat(new String(dump, 0, 5)).isEqualTo("PGDMP");
  }

  @Test
  void sizeOnlyVerificationChecksTheStoredSize() {
    String key = prefix + "/db.dump.zst";
    UploadedBackup uploaded = backup.dumpAndUpload(dump(key, Compression.ZSTD, 1));

    VerifiedBackup verified =
        backup.verifyBackup(new VerifyRequest(storage(), key, uploaded.storedBytes(), uploaded.sha256(), false));
    ApplicationFailure wrongSize =
        applicationFailure(
            catchThrowable(
                () -> backup.verifyBackup(
                    new VerifyRequest(storage(), key, uploaded.storedBytes() + 1, uploaded.sha256(), false))));

    assertThat(verified.method()).isEqualTo("size");
    assertThat(wrongSize.getType()).isEqualTo(FailureTypes.CHECKSUM_MISMATCH);
    assertThat(wrongSize.isNonRetryable()).isTrue();
  }

  @Test
  void readBackOfATamperedObjectIsAChecksumMismatch() throws Exception {
    String key = prefix + "/db.dump.zst";
    UploadedBackup uploaded = backup.dumpAndUpload(dump(key, Compression.ZSTD, 1));
    byte[] stored = s3.getObjectAsBytes(b -> b.bucket(LocalStack.BUCKET).key(key)).asByteArray();
    stored[stored.length / 2] ^= 0x01;
    s3.putObject(b -> b.bucket(LocalStack.BUCKET).key(key), RequestBody.fromBytes(stored));

    ApplicationFailure failure =
        applicationFailure(
            catchThrowable(
                () -> backup.verifyBackup(
                    new VerifyRequest(storage(), key, uploaded.storedBytes(), uploaded.sha256(), true))));

    assertThat(failure.getType()).isEqualTo(FailureTypes.CHECKSUM_MISMATCH);
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getOriginalMessage()).contains(uploaded.sha256()).contains(sha256(stored));
  }

  @Test
  void aRetriedDumpAbortsTheUploadAnEarlierAttemptLeft() {
    String key = prefix + "/db.dump.zst";
    String leftOver = s3.createMultipartUpload(b -> b.bucket(LocalStack.BUCKET).key(key)).uploadId();
    s3.uploadPart(
        b -> b.bucket(LocalStack.BUCKET).key(key).uploadId(leftOver).partNumber(1),
        RequestBody.fromBytes(new byte[1024]));
    assertThat(LocalStack.uploads(s3, prefix)).hasSize(1);
    environment.setHeartbeatDetails(new BackupActivitiesImpl.DumpProgress(leftOver, 2048, 1024, 1024, 1));

    backup.dumpAndUpload(dump(key, Compression.ZSTD, 1));

    assertThat(LocalStack.uploads(s3, prefix)).isEmpty();
    assertThat(LocalStack.keys(s3, prefix)).containsExactly(key);
  }

  @Test
  void discardRemovesObjectManifestAndUploadsAndMayRunTwice() {
    String key = prefix + "/db.dump.zst";
    UploadedBackup uploaded = backup.dumpAndUpload(dump(key, Compression.ZSTD, 1));
    backup.writeManifest(storage(), manifest(key, uploaded, Instant.now(), false));
    s3.createMultipartUpload(b -> b.bucket(LocalStack.BUCKET).key(key));

    backup.discardBackup(storage(), key);
    backup.discardBackup(storage(), key);

    assertThat(LocalStack.keys(s3, prefix)).isEmpty();
    assertThat(LocalStack.uploads(s3, prefix)).isEmpty();
  }

  @Test
  void retentionDeletesWhatThePolicyDoesNotKeepAndLeavesObjectsWithoutAValidManifest() {
    Instant now = Instant.parse("2026-11-20T12:00:00Z");
    String runbook = prefix + "/nightly/";
    List<String> keys = new ArrayList<>();
    for (int daysAgo = 0; daysAgo < 5; daysAgo++) {
      String key = runbook + "db-" + daysAgo + ".dump.zst";
      keys.add(key);
      s3.putObject(b -> b.bucket(LocalStack.BUCKET).key(key), RequestBody.fromBytes(new byte[] {1}));
      backup.writeManifest(
          storage(), manifest(key, 1, "0".repeat(64), now.minus(Duration.ofDays(daysAgo)), true));
    }
    String inFlight = runbook + "in-flight.dump.zst";
    s3.putObject(b -> b.bucket(LocalStack.BUCKET).key(inFlight), RequestBody.fromBytes(new byte[] {1}));
    String damaged = runbook + "damaged.dump.zst";
    s3.putObject(b -> b.bucket(LocalStack.BUCKET).key(damaged), RequestBody.fromBytes(new byte[] {1}));
    s3.putObject(
        b -> b.bucket(LocalStack.BUCKET).key(damaged + ".manifest.json"), RequestBody.fromString("{\"key\": 1"));
    RetentionRequest request =
        new RetentionRequest(storage(), runbook, new RetentionPolicy(2, 0), keys.get(0), now, false);

    RetentionResult dryRun = backup.applyRetention(
        new RetentionRequest(storage(), runbook, new RetentionPolicy(2, 0), keys.get(0), now, true));
    assertThat(LocalStack.keys(s3, runbook)).hasSize(13);
    RetentionResult result = backup.applyRetention(request);

    assertThat(dryRun).isEqualTo(result);
    assertThat(result.kept()).containsExactly(keys.get(0), keys.get(1));
    assertThat(result.deleted()).containsExactly(keys.get(2), keys.get(3), keys.get(4));
    assertThat(LocalStack.keys(s3, runbook))
        .containsExactlyInAnyOrder(
            keys.get(0), keys.get(0) + ".manifest.json", keys.get(1), keys.get(1) + ".manifest.json", inFlight,
            damaged, damaged + ".manifest.json");
  }

  @Test
  void aWrongStorageSecretIsRefusedNamingTheField() {
    ApplicationFailure failure =
        storageFailure(LocalStack.S3_ACCESS_KEY, SecretRef.of("${env:WRONG_SECRET}"));

    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getType()).isEqualTo(FailureTypes.STORAGE_AUTHENTICATION_FAILED);
    assertThat(failure.getOriginalMessage())
        .startsWith("storage.secretAccessKey:")
        .contains("${env:WRONG_SECRET}")
        .doesNotContain("not-the-secret-key");
  }

  @Test
  void anUnknownStorageAccessKeyIsRefusedNamingTheField() {
    ApplicationFailure failure =
        storageFailure(SecretRef.of("${env:WRONG_KEY}"), LocalStack.S3_SECRET_KEY);

    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getType()).isEqualTo(FailureTypes.STORAGE_AUTHENTICATION_FAILED);
    assertThat(failure.getOriginalMessage()).startsWith("storage.accessKeyId:").contains("${env:WRONG_KEY}");
  }

  private ApplicationFailure storageFailure(SecretRef accessKey, SecretRef secretKey) {
    StorageLocation good = storage();
    StorageLocation wrong =
        new StorageLocation(
            good.endpoint(), good.region(), good.bucket(), good.prefix(), accessKey, secretKey, good.storageClass(),
            good.pathStyle());
    ActivityImplementations withWrongCredentials =
        ActivityImplementations.create(
            new SecretResolver(Map.of("WRONG_SECRET", "not-the-secret-key", "WRONG_KEY", "NOSUCHACCESSKEY")));
    TestActivityEnvironment env = LocalStack.activityEnvironment(withWrongCredentials.all());
    try {
      BackupActivities stub = env.newActivityStub(BackupActivities.class, LocalStack.activityOptions());
      ApplicationFailure failure = applicationFailure(catchThrowable(() -> stub.checkStorage(wrong)));
      assertThat(LocalStack.keys(s3, prefix)).isEmpty();
      return failure;
    } finally {
      env.close();
      withWrongCredentials.close();
    }
  }

  @Test
  void aCancelledDumpKillsPgDumpAndLeavesNoUpload() throws Exception {
    String key = prefix + "/db.dump.zst";
    try (Connection blocker = LocalStack.connect(database)) {
      blocker.setAutoCommit(false);
      try (Statement s = blocker.createStatement()) {
        s.execute("lock table orders in access exclusive mode");
      }
      environment.setActivityHeartbeatListener(
          Object.class,
          details -> {
            awaitPgDumpSessions(1);
            environment.requestCancelActivity();
          });

      Throwable thrown = catchThrowable(() -> backup.dumpAndUpload(dump(key, Compression.ZSTD, 1)));

      assertThat(thrown).isInstanceOf(CanceledFailure.class);
      assertThat(awaitPgDumpSessions(0)).as("pg_dump sessions still waiting for the lock").isZero();
      assertThat(ProcessHandle.current().descendants())
          .noneMatch(p -> p.info().command().orElse("").endsWith("pg_dump"));
      blocker.rollback();
    }
    assertThat(LocalStack.uploads(s3, prefix)).isEmpty();
    assertThat(LocalStack.keys(s3, prefix)).isEmpty();
  }

  /** Waits up to 5 s for the number of pg_dump sessions waiting for the table lock to be {@code wanted}. */
  private static int awaitPgDumpSessions(int wanted) {
    try (Connection c = LocalStack.connect("postgres");
        var s = c.prepareStatement(
            "select count(*) from pg_stat_activity where datname = ? and wait_event_type = 'Lock'"
                + " and query ilike 'lock table%'")) {
      s.setString(1, database);
      int sessions = -1;
      for (int i = 0; i < 50 && sessions != wanted; i++) {
        try (var rows = s.executeQuery()) {
          rows.next();
          sessions = rows.getInt(1);
        }
        Thread.sleep(100);
      }
      return sessions;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aMissingBucketIsNamed() {
    StorageLocation good = storage();
    StorageLocation missing =
        new StorageLocation(
            good.endpoint(), good.region(), "no-such-bucket-" + prefix.hashCode(), good.prefix(), good.accessKeyId(),
            good.secretAccessKey(), good.storageClass(), good.pathStyle());

    ApplicationFailure failure = applicationFailure(catchThrowable(() -> backup.checkStorage(missing)));

    assertThat(failure.getType()).isEqualTo(FailureTypes.BUCKET_NOT_FOUND);
    assertThat(failure.getOriginalMessage()).startsWith("storage.bucket:");
  }

  @Test
  void aMissingSecretIsNamedWithItsFix() {
    PostgresConnection db =
        new PostgresConnection(LocalStack.database(database).url(), "postgres", SecretRef.of("${env:NO_SUCH_PG_PASSWORD}"));

    ApplicationFailure failure = applicationFailure(catchThrowable(() -> backup.checkDatabase(db)));

    assertThat(failure.getType()).isEqualTo(FailureTypes.SECRET_NOT_FOUND);
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getOriginalMessage())
        .startsWith("database.password:")
        .contains("${env:NO_SUCH_PG_PASSWORD}")
        .contains("set NO_SUCH_PG_PASSWORD");
  }

  @Test
  void aWrongDatabasePasswordIsRefusedWithoutShowingIt() {
    String wrong = "wrong-" + LocalStack.unique("pw");
    ActivityImplementations withWrongPassword =
        ActivityImplementations.create(new SecretResolver(Map.of("PG_WRONG", wrong)));
    TestActivityEnvironment env = LocalStack.activityEnvironment(withWrongPassword.all());
    try {
      BackupActivities stub = env.newActivityStub(BackupActivities.class, LocalStack.activityOptions());
      PostgresConnection db =
          new PostgresConnection(LocalStack.database(database).url(), "postgres", SecretRef.of("${env:PG_WRONG}"));

      Throwable thrown = catchThrowable(() -> stub.checkDatabase(db));
      ApplicationFailure failure = applicationFailure(thrown);

      assertThat(failure.getType()).isEqualTo(FailureTypes.AUTHENTICATION_FAILED);
      assertThat(failure.isNonRetryable()).isTrue();
      assertThat(failure.getOriginalMessage()).startsWith("database.password:").contains("${env:PG_WRONG}");
      assertThat(chainText(thrown)).doesNotContain(wrong).doesNotContain(LocalStack.pgPassword());
    } finally {
      env.close();
      withWrongPassword.close();
    }
  }

  @Test
  void anUnreachableDatabaseIsRetryable() {
    PostgresConnection db =
        new PostgresConnection("jdbc:postgresql://127.0.0.1:1/" + database, "postgres", LocalStack.PG_PASSWORD);

    Throwable thrown = catchThrowable(() -> backup.checkDatabase(db));
    ApplicationFailure failure = applicationFailure(thrown);

    assertThat(failure.getType()).isEqualTo(FailureTypes.DATABASE_UNAVAILABLE);
    assertThat(failure.isNonRetryable()).isFalse();
    assertThat(failure.getOriginalMessage()).startsWith("database.url:").contains("127.0.0.1:1");
    assertThat(chainText(thrown)).doesNotContain(LocalStack.pgPassword());
  }

  @Test
  void aMissingDatabaseIsNamed() {
    ApplicationFailure failure =
        applicationFailure(catchThrowable(() -> backup.checkDatabase(LocalStack.database(database + "_missing"))));

    assertThat(failure.getType()).isEqualTo(FailureTypes.DATABASE_NOT_FOUND);
    assertThat(failure.getOriginalMessage()).startsWith("database.url:").contains(database + "_missing");
  }

  @Test
  void badOptionsAreRefusedBeforeAnythingIsStored() {
    String key = prefix + "/db.dump.zst";

    ApplicationFailure level =
        applicationFailure(catchThrowable(() -> backup.dumpAndUpload(dump(key, Compression.GZIP, 12))));
    ApplicationFailure part =
        applicationFailure(
            catchThrowable(
                () -> backup.dumpAndUpload(
                    new DumpRequest(
                        LocalStack.database(database), storage(), key,
                        new BackupOptions(Compression.ZSTD, 3, true, 1024)))));

    assertThat(level.getType()).isEqualTo(FailureTypes.INVALID_INPUT);
    assertThat(level.getOriginalMessage()).startsWith("options.level: 12");
    assertThat(part.getOriginalMessage()).startsWith("options.partSizeBytes: 1024");
    assertThat(LocalStack.keys(s3, prefix)).isEmpty();
    assertThat(LocalStack.uploads(s3, prefix)).isEmpty();
  }

  @Test
  void partSizeGrowsForDatabasesTooLargeForTenThousandParts() {
    assertThat(BackupActivitiesImpl.partSize(PART, 1L << 30)).isEqualTo((int) PART);
    assertThat(BackupActivitiesImpl.partSize(PART, 1L << 40))
        .isGreaterThanOrEqualTo((int) ((2L << 40) / BackupActivitiesImpl.MAX_PARTS));
  }

  private static BackupManifest manifest(String key, UploadedBackup uploaded, Instant startedAt, boolean verified) {
    return manifest(key, uploaded.storedBytes(), uploaded.sha256(), startedAt, verified);
  }

  private static BackupManifest manifest(String key, long stored, String sha, Instant startedAt, boolean verified) {
    return new BackupManifest(
        BackupManifest.FORMAT_VERSION, "nightly", "test", "backup/nightly", "run-1", LocalStack.BUCKET, key,
        database, "15", "pg_dump 15", "zstd", 1, stored, stored, sha, verified, verified ? "sha256-read-back" : "",
        startedAt, startedAt.plusSeconds(10), 10_000);
  }

  static String sha256(byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }

  private static byte[] decompressZstd(byte[] data) throws Exception {
    try (InputStream in = CompressionStreams.decompress(Compression.ZSTD, new ByteArrayInputStream(data))) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      in.transferTo(out);
      return out.toByteArray();
    }
  }

  private static String chainText(Throwable thrown) {
    StringBuilder text = new StringBuilder();
    for (Throwable t = thrown; t != null; t = t.getCause()) {
      text.append(t).append('\n');
      for (StackTraceElement e : t.getStackTrace()) {
        text.append(e).append('\n');
      }
    }
    return text.toString();
  }
}
