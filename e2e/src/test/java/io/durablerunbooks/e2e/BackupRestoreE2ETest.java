package io.durablerunbooks.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.durablerunbooks.restore.RestoreWorkflow;
import io.temporal.client.WorkflowClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Backup and restore through the CLI and the real worker, against real PostgreSQL and S3Proxy on
 * a real Temporal dev server.
 */
class BackupRestoreE2ETest {

  private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  private static final String QUEUE = "e2e-" + RUN;
  private static final String SOURCE = "e2e_src_" + RUN;
  private static final String TARGET = "e2e_dst_" + RUN;
  private static final String PREFIX = "e2e-" + RUN;

  @TempDir static Path dir;
  private static E2eSession e2e;
  private static Cli cli;
  private static WorkflowClient temporal;
  private static S3Client s3;

  @BeforeAll
  static void stackAndWorker() throws Exception {
    e2e = E2eSession.withWorker(QUEUE, dir.resolve("worker.log"));
    cli = e2e.cli();
    temporal = e2e.temporal();
    s3 = Stack.s3();
    SampleDatabase.create(SOURCE, 5_000);
  }

  @AfterAll
  static void cleanUp() throws Exception {
    if (e2e != null) {
      e2e.close();
    }
    SampleDatabase.drop(SOURCE);
    for (String db : SampleDatabase.databasesLike(TARGET)) {
      SampleDatabase.drop(db);
    }
  }

  private List<S3Object> objects(String prefix) {
    return s3.listObjectsV2Paginator(b -> b.bucket(Stack.BUCKET).prefix(prefix)).contents().stream().toList();
  }

  @Test
  void backupThenApprovedRestoreBringsBackIdenticalData() throws Exception {
    Path backupFile = RunbookYaml.backup(dir, "e2e-backup-" + RUN, SOURCE, PREFIX);
    Cli.Result backup = cli.run("start", backupFile.toString(), "--watch");

    assertThat(backup.exitCode()).as(backup.all()).isZero();
    assertThat(backup.out()).contains("SUCCEEDED", "DumpAndUpload", "VerifyStoredBackup", "WriteManifest");
    List<String> keys = objects(PREFIX + "/e2e-backup-" + RUN + "/").stream().map(S3Object::key).toList();
    assertThat(keys).hasSize(2);
    String manifestKey = keys.stream().filter(k -> k.endsWith(".manifest.json")).findFirst().orElseThrow();
    String manifest = s3.getObjectAsBytes(b -> b.bucket(Stack.BUCKET).key(manifestKey)).asUtf8String();
    assertThat(manifest).contains("\"verified\" : true", "\"database\" : \"" + SOURCE + "\"", "sha256");
    assertThat(s3.listMultipartUploads(b -> b.bucket(Stack.BUCKET).prefix(PREFIX)).uploads()).isEmpty();

    String restoreName = "e2e-restore-" + RUN;
    Path restoreFile = RunbookYaml.restore(dir, restoreName, "e2e-backup-" + RUN, PREFIX, TARGET, List.of("alice", "bob"));
    Cli.Result started = cli.run("start", restoreFile.toString());
    assertThat(started.exitCode()).as(started.all()).isZero();
    String id = "restore/" + restoreName;
    awaitGateOpen(id);
    assertThat(SampleDatabase.exists(TARGET)).as("nothing restored before GO").isFalse();

    Cli.Result refused = cli.run("approve", id, "--as", "mallory");
    assertThat(refused.exitCode()).isEqualTo(2);
    assertThat(refused.err()).contains("mallory is not an approver");
    Cli.Result go = cli.run("approve", id, "--as", "alice", "--comment", "restore drill");
    assertThat(go.exitCode()).as(go.all()).isZero();

    Cli.Result watched = cli.run("watch", id);
    assertThat(watched.exitCode()).as(watched.all()).isZero();
    assertThat(SampleDatabase.fingerprint(TARGET)).isEqualTo(SampleDatabase.fingerprint(SOURCE)).hasSize(3);

    Cli.Result report = cli.run("report", id, "--format", "md");
    assertThat(report.out()).contains("SUCCEEDED", "alice", "restore drill", "RunSmokeChecks", "SwapInRestoredDatabase");
    Cli.Result history = cli.run("history", id);
    assertThat(history.out()).contains("VerifyBackupChecksum", "RestoreIntoScratchDatabase");
  }

  @Test
  void aTamperedBackupIsRefusedBeforeTheTargetIsTouched() throws Exception {
    String name = "e2e-tamper-" + RUN;
    String prefix = PREFIX + "-tamper";
    Cli.Result backup = cli.run("start", RunbookYaml.backup(dir, name, SOURCE, prefix).toString(), "--watch");
    assertThat(backup.exitCode()).as(backup.all()).isZero();
    String objectKey =
        objects(prefix + "/" + name + "/").stream().map(S3Object::key).filter(k -> k.endsWith(".zst")).findFirst().orElseThrow();
    ResponseBytes<GetObjectResponse> original = s3.getObjectAsBytes(b -> b.bucket(Stack.BUCKET).key(objectKey));
    byte[] tampered = original.asByteArray().clone();
    tampered[tampered.length / 2] ^= 0x01;
    s3.putObject(b -> b.bucket(Stack.BUCKET).key(objectKey), RequestBody.fromBytes(tampered));

    String target = TARGET + "_t";
    Path restoreFile = RunbookYaml.restore(dir, name + "-restore", name, prefix, target, List.of());
    Cli.Result restore = cli.run("start", restoreFile.toString(), "--watch");

    assertThat(restore.exitCode()).as(restore.all()).isEqualTo(1);
    assertThat(restore.all()).contains("VerifyBackupChecksum").containsIgnoringCase("sha256");
    assertThat(SampleDatabase.exists(target)).isFalse();
    assertThat(SampleDatabase.databasesLike(target + "_restore_")).isEmpty();
  }

  @Test
  void theDatabasePasswordNeverAppearsInHistoryReportOrWorkerLog() throws Exception {
    String name = "e2e-secret-" + RUN;
    Cli.Result backup = cli.run("start", RunbookYaml.backup(dir, name, SOURCE, PREFIX + "-secret").toString(), "--watch");
    assertThat(backup.exitCode()).as(backup.all()).isZero();
    String password = Stack.secret("pg-password");
    String s3Secret = Stack.secret("s3-secret-key");

    String history = e2e.historyBytes("backup/" + name);
    String report = cli.run("report", "backup/" + name, "--format", "json").out();

    assertThat(history).contains("DumpAndUpload", "${file:").doesNotContain(password).doesNotContain(s3Secret);
    assertThat(report).contains("backup.sha256").doesNotContain(password).doesNotContain(s3Secret);
    assertThat(e2e.worker().log()).doesNotContain(password).doesNotContain(s3Secret);
    assertThat(backup.all()).doesNotContain(password);
    assertThat(Files.readString(dir.resolve("worker.log"), StandardCharsets.UTF_8)).contains("worker polling");
  }

  private void awaitGateOpen(String id) throws InterruptedException {
    RestoreWorkflow run = temporal.newWorkflowStub(RestoreWorkflow.class, id);
    for (int i = 0; i < 240; i++) {
      if (run.progress().gate().open()) {
        return;
      }
      Thread.sleep(250);
    }
    throw new AssertionError("the restore never reached its approval gate");
  }
}
