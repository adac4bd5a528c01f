package io.durablerunbooks.restore;

import static io.durablerunbooks.activities.LocalStack.applicationFailure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.tuple;

import io.durablerunbooks.activities.ActivityImplementations;
import io.durablerunbooks.activities.FailureTypes;
import io.durablerunbooks.activities.LocalStack;
import io.durablerunbooks.backup.BackupActivities;
import io.durablerunbooks.backup.BackupManifest;
import io.durablerunbooks.backup.BackupOptions;
import io.durablerunbooks.backup.Compression;
import io.durablerunbooks.backup.DumpRequest;
import io.durablerunbooks.backup.UploadedBackup;
import io.durablerunbooks.backup.VerifiedBackup;
import io.durablerunbooks.backup.VerifyRequest;
import io.durablerunbooks.postgres.PostgresConnection;
import io.durablerunbooks.secrets.SecretResolver;
import io.durablerunbooks.storage.StorageLocation;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

class RestoreActivitiesTest {

  private static final int ROWS = 20_000;

  private static String source;
  private static Map<String, String> sourceFingerprints;
  private static String prefix;
  private static S3Client s3;
  private static ActivityImplementations implementations;
  private static TestActivityEnvironment environment;
  private static BackupActivities backup;
  private static RestoreActivities restore;
  private static BackupManifest zstdBackup;
  private static BackupManifest gzipBackup;

  private final List<String> databases = new ArrayList<>();

  @BeforeAll
  static void backUpASourceDatabase() throws Exception {
    LocalStack.requireUp();
    source = LocalStack.unique("restore_source");
    LocalStack.createDatabase(source);
    LocalStack.fillSampleData(source, ROWS);
    sourceFingerprints = LocalStack.tableFingerprints(source);
    prefix = LocalStack.unique("test/restore") + "/";
    s3 = LocalStack.s3();
    implementations = ActivityImplementations.create(new SecretResolver(Map.of()));
    environment = LocalStack.activityEnvironment(implementations.all());
    backup = environment.newActivityStub(BackupActivities.class, LocalStack.activityOptions());
    restore = environment.newActivityStub(RestoreActivities.class, LocalStack.activityOptions());
    zstdBackup = takeBackup(Compression.ZSTD, Instant.parse("2026-11-19T03:00:00Z"));
    gzipBackup = takeBackup(Compression.GZIP, Instant.parse("2026-11-18T03:00:00Z"));
  }

  @AfterAll
  static void cleanUp() throws Exception {
    environment.close();
    implementations.close();
    LocalStack.dropDatabase(source);
    LocalStack.deletePrefix(s3, prefix);
    s3.close();
  }

  @AfterEach
  void dropTestDatabases() throws Exception {
    for (String database : databases) {
      LocalStack.dropDatabase(database);
    }
  }

  private String newDatabaseName(String stem) {
    String name = LocalStack.unique(stem);
    databases.add(name);
    return name;
  }

  /** Unique names for one restore, dropped after the test. */
  private record Names(String target, String scratch, String previous, PostgresConnection targetDb) {}

  private Names names(boolean createTarget) throws Exception {
    String target = newDatabaseName("restore_target");
    if (createTarget) {
      LocalStack.createDatabase(target);
    }
    return new Names(
        target, newDatabaseName("restore_scratch"), newDatabaseName("restore_previous"), LocalStack.database(target));
  }

  private static StorageLocation storage() {
    return LocalStack.storage("");
  }

  private static BackupManifest takeBackup(Compression compression, Instant startedAt) {
    String key = prefix + "db-" + compression.extension() + ".dump." + compression.extension();
    UploadedBackup uploaded =
        backup.dumpAndUpload(
            new DumpRequest(
                LocalStack.database(source), storage(), key,
                new BackupOptions(compression, compression.defaultLevel(), true, BackupOptions.MIN_PART_SIZE)));
    VerifiedBackup verified =
        backup.verifyBackup(new VerifyRequest(storage(), key, uploaded.storedBytes(), uploaded.sha256(), true));
    BackupManifest manifest =
        manifest(key, compression, uploaded.dumpBytes(), verified.storedBytes(), verified.sha256(), startedAt, true);
    backup.writeManifest(storage(), manifest);
    return manifest;
  }

  private static BackupManifest manifest(
      String key, Compression compression, long dumpBytes, long storedBytes, String sha256, Instant startedAt,
      boolean verified) {
    return new BackupManifest(
        BackupManifest.FORMAT_VERSION, "nightly", "test", "backup/nightly", "run", LocalStack.BUCKET, key, source,
        "15", "pg_dump 15", compression.name().toLowerCase(Locale.ROOT), compression.defaultLevel(), dumpBytes,
        storedBytes, sha256, verified, verified ? "sha256-read-back" : "", startedAt, startedAt.plusSeconds(5), 5_000);
  }

  /** A copy of a backup under another key, with its own manifest, for tests that damage it. */
  private BackupManifest copyOf(BackupManifest original, String name, Instant startedAt, boolean verified) {
    String key = prefix + name;
    s3.copyObject(
        b -> b.sourceBucket(LocalStack.BUCKET).sourceKey(original.key()).destinationBucket(LocalStack.BUCKET)
            .destinationKey(key));
    BackupManifest copy =
        manifest(
            key, Compression.ZSTD, original.dumpBytes(), original.storedBytes(), original.sha256(), startedAt,
            verified);
    backup.writeManifest(storage(), copy);
    return copy;
  }

  private void tamper(String key) {
    byte[] stored = s3.getObjectAsBytes(b -> b.bucket(LocalStack.BUCKET).key(key)).asByteArray();
    stored[stored.length / 3] ^= 0x40;
    s3.putObject(b -> b.bucket(LocalStack.BUCKET).key(key), RequestBody.fromBytes(stored));
  }

  private static SmokeSpec smoke(int minTables, SmokeQuery... queries) {
    return new SmokeSpec(minTables, List.of(queries));
  }

  @Test
  void restoreIntoScratchSmokeAndSwapBringBackIdenticalData() throws Exception {
    Names n = names(true);
    LocalStack.sql(n.target(), "create table old_data (id int)", "insert into old_data values (1), (2)");

    BackupManifest found = restore.findBackup(new FindBackupRequest(storage(), prefix, RestoreSpec.LATEST));
    String sha256 = restore.verifyBackupChecksum(new ChecksumRequest(storage(), found));
    TargetInfo info = restore.checkRestoreTarget(n.targetDb());
    RestoredDatabase restored =
        restore.restoreIntoScratch(new ScratchRestoreRequest(storage(), found, n.targetDb(), n.scratch()));
    SmokeResult smoke =
        restore.smokeCheck(
            new SmokeRequest(
                n.targetDb().withDatabase(n.scratch()),
                smoke(
                    4,
                    new SmokeQuery("customers", "select count(*) from customers", String.valueOf(ROWS)),
                    new SmokeQuery("audit has rows", "select 1 from audit.\"Event Log\" limit 1", ""))));
    SwapResult swap = restore.swapDatabases(new SwapRequest(n.targetDb(), n.scratch(), n.previous(), true));

    assertThat(found).isEqualTo(zstdBackup);
    assertThat(sha256).isEqualTo(zstdBackup.sha256());
    assertThat(info.targetExists()).isTrue();
    assertThat(info.serverVersion()).startsWith("PostgreSQL 15.");
    assertThat(info.clientToolVersion()).startsWith("pg_restore 15.");
    assertThat(restored.tables()).isEqualTo(4);
    assertThat(restored.restoredBytes()).isEqualTo(zstdBackup.storedBytes());
    assertThat(restored.sha256()).isEqualTo(zstdBackup.sha256());
    assertThat(smoke.tables())
        .extracting(TableCount::table, TableCount::rows)
        .containsExactly(
            tuple("audit.Event Log", (long) ROWS),
            tuple("public.customers", (long) ROWS),
            tuple("public.empty_table", 0L),
            tuple("public.orders", (long) ROWS * 2));
    assertThat(smoke.queries()).allMatch(QueryResult::passed);
    assertThat(swap).isEqualTo(new SwapResult(n.target(), n.previous(), 0));
    assertThat(LocalStack.tableFingerprints(n.target())).isEqualTo(sourceFingerprints);
    assertThat(LocalStack.tableFingerprints(n.previous())).containsOnlyKeys("public.old_data");
    assertThat(LocalStack.databaseExists(n.scratch())).isFalse();

    SwapResult again = restore.swapDatabases(new SwapRequest(n.targetDb(), n.scratch(), n.previous(), true));
    restore.dropScratchDatabase(n.targetDb(), n.scratch());
    assertThat(again).isEqualTo(swap);
    assertThat(LocalStack.tableFingerprints(n.target())).isEqualTo(sourceFingerprints);
  }

  @Test
  void gzipBackupRestoresIdenticalDataAndTheReplacedDatabaseIsDroppedUnlessKept() throws Exception {
    Names n = names(true);

    BackupManifest found = restore.findBackup(new FindBackupRequest(storage(), prefix, gzipBackup.key()));
    restore.restoreIntoScratch(new ScratchRestoreRequest(storage(), found, n.targetDb(), n.scratch()));
    SwapResult swap = restore.swapDatabases(new SwapRequest(n.targetDb(), n.scratch(), n.previous(), false));

    assertThat(found).isEqualTo(gzipBackup);
    assertThat(swap).isEqualTo(new SwapResult(n.target(), "", 0));
    assertThat(LocalStack.databaseExists(n.previous())).isFalse();
    assertThat(LocalStack.tableFingerprints(n.target())).isEqualTo(sourceFingerprints);
  }

  @Test
  void aSwapIntoAMissingTargetCreatesIt() throws Exception {
    Names n = names(false);

    TargetInfo info = restore.checkRestoreTarget(n.targetDb());
    restore.restoreIntoScratch(new ScratchRestoreRequest(storage(), zstdBackup, n.targetDb(), n.scratch()));
    SwapResult swap = restore.swapDatabases(new SwapRequest(n.targetDb(), n.scratch(), n.previous(), true));

    assertThat(info.targetExists()).isFalse();
    assertThat(swap).isEqualTo(new SwapResult(n.target(), "", 0));
    assertThat(LocalStack.tableFingerprints(n.target())).isEqualTo(sourceFingerprints);
  }

  @Test
  void theSwapEndsSessionsOnTheTarget() throws Exception {
    Names n = names(true);
    restore.restoreIntoScratch(new ScratchRestoreRequest(storage(), zstdBackup, n.targetDb(), n.scratch()));

    try (var client = LocalStack.connect(n.target())) {
      SwapResult swap = restore.swapDatabases(new SwapRequest(n.targetDb(), n.scratch(), n.previous(), true));

      assertThat(swap.terminatedConnections()).isEqualTo(1);
      assertThat(client.isValid(2)).isFalse();
    }
  }

  @Test
  void aTamperedObjectIsRefusedBeforeAndDuringTheRestore() throws Exception {
    BackupManifest copy = copyOf(zstdBackup, "tampered.dump.zst", Instant.parse("2026-11-01T00:00:00Z"), true);
    tamper(copy.key());
    Names n = names(false);

    ApplicationFailure checksum =
        applicationFailure(catchThrowable(() -> restore.verifyBackupChecksum(new ChecksumRequest(storage(), copy))));
    ApplicationFailure restoring =
        applicationFailure(
            catchThrowable(
                () -> restore.restoreIntoScratch(new ScratchRestoreRequest(storage(), copy, n.targetDb(), n.scratch()))));

    assertThat(checksum.getType()).isEqualTo(FailureTypes.CHECKSUM_MISMATCH);
    assertThat(checksum.isNonRetryable()).isTrue();
    assertThat(checksum.getOriginalMessage()).contains(copy.sha256()).contains(copy.key());
    assertThat(restoring.isNonRetryable()).isTrue();
    assertThat(restoring.getType()).isIn(FailureTypes.CHECKSUM_MISMATCH, FailureTypes.RESTORE_FAILED);
    assertThat(LocalStack.databaseExists(n.scratch())).isFalse();
    assertThat(LocalStack.databaseExists(n.target())).isFalse();
  }

  @Test
  void latestIsTheNewestVerifiedBackupAndMissingBackupsAreNamed() {
    copyOf(zstdBackup, "newer-unverified.dump.zst", Instant.parse("2026-11-21T00:00:00Z"), false);
    String impostor = prefix + "impostor.dump.zst";
    String json =
        s3.getObjectAsBytes(b -> b.bucket(LocalStack.BUCKET).key(zstdBackup.key() + ".manifest.json"))
            .asUtf8String()
            .replace("2026-11-19T03:00:00Z", "2026-11-22T03:00:00Z");
    s3.putObject(b -> b.bucket(LocalStack.BUCKET).key(impostor + ".manifest.json"), RequestBody.fromString(json));

    BackupManifest latest = restore.findBackup(new FindBackupRequest(storage(), prefix, RestoreSpec.LATEST));
    BackupManifest byRelativeKey =
        restore.findBackup(new FindBackupRequest(storage(), prefix, gzipBackup.key().substring(prefix.length())));
    ApplicationFailure missing =
        applicationFailure(
            catchThrowable(() -> restore.findBackup(new FindBackupRequest(storage(), prefix, prefix + "nope.dump"))));
    ApplicationFailure none =
        applicationFailure(
            catchThrowable(() -> restore.findBackup(new FindBackupRequest(storage(), prefix + "empty/", "latest"))));

    ApplicationFailure describesAnother =
        applicationFailure(catchThrowable(() -> restore.findBackup(new FindBackupRequest(storage(), prefix, impostor))));
    ApplicationFailure noSlash =
        applicationFailure(
            catchThrowable(
                () -> restore.findBackup(
                    new FindBackupRequest(storage(), prefix.substring(0, prefix.length() - 1), "latest"))));

    assertThat(latest).isEqualTo(zstdBackup);
    assertThat(byRelativeKey).isEqualTo(gzipBackup);
    assertThat(describesAnother.getType()).isEqualTo(FailureTypes.INVALID_INPUT);
    assertThat(describesAnother.getOriginalMessage()).contains("it describes " + zstdBackup.key());
    assertThat(noSlash.getOriginalMessage()).startsWith("backupsPrefix:");
    assertThat(missing.getType()).isEqualTo(FailureTypes.BACKUP_NOT_FOUND);
    assertThat(missing.getOriginalMessage()).startsWith("backupKey:").contains("nope.dump");
    assertThat(none.getType()).isEqualTo(FailureTypes.BACKUP_NOT_FOUND);
    assertThat(none.isNonRetryable()).isTrue();
  }

  @Test
  void failingSmokeChecksListEachFailureWithActualAndExpected() throws Exception {
    Names n = names(false);
    restore.restoreIntoScratch(new ScratchRestoreRequest(storage(), zstdBackup, n.targetDb(), n.scratch()));

    ApplicationFailure failure =
        applicationFailure(
            catchThrowable(
                () -> restore.smokeCheck(
                    new SmokeRequest(
                        n.targetDb().withDatabase(n.scratch()),
                        smoke(
                            9,
                            new SmokeQuery("count", "select count(*) from customers", "5"),
                            new SmokeQuery("no such table", "select * from nope", ""),
                            new SmokeQuery("writes refused", "delete from customers returning id", ""),
                            new SmokeQuery("fine", "select 'ok'", "ok"))))));

    assertThat(failure.getType()).isEqualTo(FailureTypes.SMOKE_CHECK_FAILED);
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getOriginalMessage())
        .contains("smoke.minTables: " + n.scratch() + " has 4 tables, at least 9 expected")
        .contains("smoke query 'count': got " + ROWS + ", expected 5")
        .contains("smoke query 'no such table': got error: relation \"nope\" does not exist")
        .contains("smoke query 'writes refused': got error: cannot execute DELETE in a read-only transaction")
        .doesNotContain("'fine'");
    SmokeResult details = failure.getDetails().get(SmokeResult.class);
    assertThat(details.queries()).extracting(QueryResult::passed).containsExactly(false, false, false, true);
    assertThat(LocalStack.tableFingerprints(n.scratch())).isEqualTo(sourceFingerprints);
  }

  @Test
  void scratchAndPreviousNamesThatAreNotOursAreRefused() throws Exception {
    String target = newDatabaseName("restore_target");
    String other = newDatabaseName("restore_other");
    LocalStack.createDatabase(target);
    LocalStack.createDatabase(other);
    PostgresConnection targetDb = LocalStack.database(target);

    ApplicationFailure dropTarget =
        applicationFailure(catchThrowable(() -> restore.dropScratchDatabase(targetDb, target)));
    ApplicationFailure dropOther =
        applicationFailure(catchThrowable(() -> restore.dropScratchDatabase(targetDb, other)));
    ApplicationFailure restoreOver =
        applicationFailure(
            catchThrowable(
                () -> restore.restoreIntoScratch(new ScratchRestoreRequest(storage(), zstdBackup, targetDb, other))));
    ApplicationFailure swapMissing =
        applicationFailure(
            catchThrowable(
                () -> restore.swapDatabases(new SwapRequest(targetDb, target + "_gone", target + "_prev", true))));

    assertThat(dropTarget.getType()).isEqualTo(FailureTypes.INVALID_INPUT);
    assertThat(dropTarget.getOriginalMessage()).startsWith("scratchDatabase:");
    assertThat(dropOther.getType()).isEqualTo(FailureTypes.NOT_A_SCRATCH_DATABASE);
    assertThat(restoreOver.getType()).isEqualTo(FailureTypes.NOT_A_SCRATCH_DATABASE);
    assertThat(swapMissing.getType()).isEqualTo(FailureTypes.SCRATCH_NOT_FOUND);
    assertThat(LocalStack.databaseExists(target)).isTrue();
    assertThat(LocalStack.databaseExists(other)).isTrue();
  }

  @Test
  void aScratchLeftByAnEarlierAttemptIsReplacedAndCompensationDropsIt() throws Exception {
    Names n = names(false);
    restore.restoreIntoScratch(new ScratchRestoreRequest(storage(), zstdBackup, n.targetDb(), n.scratch()));
    LocalStack.sql(n.scratch(), "create table leftover (id int)");

    RestoredDatabase again = restore.restoreIntoScratch(new ScratchRestoreRequest(storage(), zstdBackup, n.targetDb(), n.scratch()));
    assertThat(again.tables()).isEqualTo(4);
    assertThat(LocalStack.tableFingerprints(n.scratch())).isEqualTo(sourceFingerprints);

    restore.dropScratchDatabase(n.targetDb(), n.scratch());
    restore.dropScratchDatabase(n.targetDb(), n.scratch());
    assertThat(LocalStack.databaseExists(n.scratch())).isFalse();
  }
}
