package io.durablerunbooks.runbook;

import io.durablerunbooks.backup.BackupManifest;
import io.durablerunbooks.backup.BackupOptions;
import io.durablerunbooks.backup.BackupSpec;
import io.durablerunbooks.backup.Compression;
import io.durablerunbooks.backup.RetentionPolicy;
import io.durablerunbooks.postgres.PostgresConnection;
import io.durablerunbooks.restore.RestoreSpec;
import io.durablerunbooks.restore.SmokeQuery;
import io.durablerunbooks.restore.SmokeSpec;
import io.durablerunbooks.restoretest.RestoreTestSpec;
import io.durablerunbooks.secrets.SecretRef;
import io.durablerunbooks.storage.StorageLocation;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Runbook specs for workflow tests: the shapes a validated runbook file produces. */
public final class Fixtures {

  public static final String INITIATOR = "carol";
  public static final PostgresConnection ORDERS =
      new PostgresConnection("jdbc:postgresql://db.internal:5432/orders", "backup", SecretRef.of("${env:PGPASSWORD}"));
  public static final StorageLocation BUCKET =
      new StorageLocation(
          "http://127.0.0.1:18080",
          "us-east-1",
          "backups",
          "postgres",
          SecretRef.of("${env:S3_ACCESS_KEY}"),
          SecretRef.of("${env:S3_SECRET_KEY}"),
          "STANDARD_IA",
          true);

  private Fixtures() {}

  public static ApprovalPolicy approvers(String... names) {
    return new ApprovalPolicy(true, List.of(names), false, Duration.ofMinutes(30));
  }

  public static RunbookHeader header(RunbookKind kind, String name, String environment, ApprovalPolicy approval) {
    return new RunbookHeader(kind, name, environment, "test runbook", approval, "");
  }

  public static BackupSpec backup(ApprovalPolicy approval) {
    return new BackupSpec(
        header(RunbookKind.BACKUP, "orders-nightly", "production", approval),
        ORDERS,
        BUCKET,
        new BackupOptions(Compression.ZSTD, 3, true, BackupOptions.DEFAULT_PART_SIZE),
        new RetentionPolicy(7, 4));
  }

  public static RestoreSpec restore(String environment, boolean unlockProduction, ApprovalPolicy approval) {
    return new RestoreSpec(
        header(RunbookKind.RESTORE, "orders-restore", environment, approval),
        BUCKET,
        "orders-nightly",
        RestoreSpec.LATEST,
        ORDERS.withDatabase("orders_staging"),
        unlockProduction,
        true,
        new SmokeSpec(1, List.of(new SmokeQuery("customers exist", "select count(*) > 0 from customers", "t"))));
  }

  public static RestoreTestSpec restoreTest() {
    BackupSpec backup = backup(ApprovalPolicy.unattended());
    RestoreSpec restore = restore("staging", false, ApprovalPolicy.unattended());
    return new RestoreTestSpec(
        header(RunbookKind.RESTORE_TEST, "orders-restore-test", "staging", ApprovalPolicy.unattended()),
        true,
        new BackupSpec(backup.header().as(RunbookKind.BACKUP, "orders-nightly"), backup.database(), backup.storage(), backup.options(), backup.retention()),
        restore);
  }

  public static BackupManifest manifest(String key, String sha256) {
    Instant at = Instant.parse("2026-11-21T03:00:00Z");
    return new BackupManifest(
        BackupManifest.FORMAT_VERSION, "orders-nightly", "production", "backup/orders-nightly", "run-1",
        "backups", key, "orders", "15.18", "15.18", "zstd", 3, 1000, 400, sha256, true,
        "sha256-read-back", at, at.plusSeconds(60), 60_000);
  }
}
