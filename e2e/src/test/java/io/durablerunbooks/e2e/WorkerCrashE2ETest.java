package io.durablerunbooks.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.durablerunbooks.report.RunbookReport;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Kill -9 the worker while it streams a large backup into S3: a new worker finishes the backup,
 * the stored object matches its manifest, and no incomplete multipart upload is left behind.
 */
class WorkerCrashE2ETest {

  private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  private static final String QUEUE = "e2e-crash-" + RUN;
  private static final String SOURCE = "e2e_crash_" + RUN;
  private static final String PREFIX = "e2e-crash-" + RUN;

  @TempDir static Path dir;
  private static E2eSession e2e;
  private static S3Client s3;

  @BeforeAll
  static void largeDatabase() throws Exception {
    e2e = E2eSession.withoutWorker(QUEUE);
    s3 = Stack.s3();
    SampleDatabase.create(SOURCE, 400_000);
  }

  @AfterAll
  static void cleanUp() throws Exception {
    if (e2e != null) {
      e2e.close();
    }
    SampleDatabase.drop(SOURCE);
  }

  private boolean uploadInFlight() {
    return !s3.listMultipartUploads(b -> b.bucket(Stack.BUCKET).prefix(PREFIX)).uploads().isEmpty();
  }

  @Test
  void aBackupInterruptedByKill9CompletesOnANewWorkerAndLeavesNoIncompleteUpload() throws Exception {
    String name = "e2e-crash-" + RUN;
    Cli cli = e2e.cli();
    WorkerProcess first = WorkerProcess.start(QUEUE, dir.resolve("worker-1.log"));
    Cli.Result started = cli.run("start", RunbookYaml.backup(dir, name, SOURCE, PREFIX).toString());
    assertThat(started.exitCode()).as(started.all()).isZero();

    long deadline = System.nanoTime() + 120_000_000_000L;
    while (!uploadInFlight()) {
      assertThat(System.nanoTime()).as("a multipart upload started within 2 minutes").isLessThan(deadline);
      Thread.sleep(50);
    }
    first.killHard();
    assertThat(uploadInFlight()).as("the killed worker left its upload incomplete").isTrue();

    try (WorkerProcess second = WorkerProcess.start(QUEUE, dir.resolve("worker-2.log"))) {
      RunbookReport report =
          e2e.temporal().newUntypedWorkflowStub("backup/" + name).getResult(RunbookReport.class);
      assertThat(report.outcome().name()).isEqualTo("SUCCEEDED");

      String key = report.facts().get("backup.key");
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      long size = 0;
      try (InputStream in = s3.getObject(b -> b.bucket(Stack.BUCKET).key(key))) {
        byte[] buffer = new byte[1 << 20];
        for (int n; (n = in.read(buffer)) > 0; size += n) {
          sha.update(buffer, 0, n);
        }
      }
      assertThat(HexFormat.of().formatHex(sha.digest())).isEqualTo(report.facts().get("backup.sha256"));
      assertThat(size).isEqualTo(Long.parseLong(report.facts().get("backup.storedBytes")));
      assertThat(uploadInFlight()).as("no incomplete multipart upload left").isFalse();
      assertThat(e2e.highestAttempt("backup/" + name, "DumpAndUpload")).as("the dump ran again on the new worker").isGreaterThanOrEqualTo(2);
    }
  }
}
