package io.durablerunbooks.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/** Bad input gets a clear message naming the field and leaves nothing behind, anywhere. */
class BadInputE2ETest {

  private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  private static final String QUEUE = "e2e-bad-" + RUN;
  private static final String SOURCE = "e2e_bad_" + RUN;
  private static final String PREFIX = "e2e-bad-" + RUN;

  @TempDir static Path dir;
  private static E2eSession e2e;
  private static Cli cli;
  private static S3Client s3;

  @BeforeAll
  static void stackAndWorker() throws Exception {
    e2e = E2eSession.withWorker(QUEUE, dir.resolve("worker.log"));
    cli = e2e.cli();
    s3 = Stack.s3();
    SampleDatabase.create(SOURCE, 100);
  }

  @AfterAll
  static void cleanUp() throws Exception {
    if (e2e != null) {
      e2e.close();
    }
    SampleDatabase.drop(SOURCE);
  }

  private boolean workflowExists(String id) {
    try {
      e2e.stubs().blockingStub().describeWorkflowExecution(
          DescribeWorkflowExecutionRequest.newBuilder()
              .setNamespace("default")
              .setExecution(io.temporal.api.common.v1.WorkflowExecution.newBuilder().setWorkflowId(id))
              .build());
      return true;
    } catch (io.grpc.StatusRuntimeException e) {
      if (e.getStatus().getCode() == io.grpc.Status.Code.NOT_FOUND) {
        return false;
      }
      throw e;
    }
  }

  private void assertNothingStored(String prefix) {
    assertThat(s3.listObjectsV2(b -> b.bucket(Stack.BUCKET).prefix(prefix)).contents()).isEmpty();
    assertThat(s3.listMultipartUploads(b -> b.bucket(Stack.BUCKET).prefix(prefix)).uploads()).isEmpty();
  }

  private Cli.Result startInvalid(String name, String yaml) {
    Path file = RunbookYaml.write(dir, name, yaml);
    return cli.run("start", file.toString());
  }

  @Test
  void malformedYamlNamesTheLineAndStartsNothing() {
    String name = "e2e-malformed-" + RUN;
    Cli.Result r = startInvalid(name, "kind: backup\nname: " + name + "\nenvironment: e2e\ndatabase: [unclosed\n");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).containsIgnoringCase("line");
    assertThat(workflowExists("backup/" + name)).isFalse();
  }

  @Test
  void anUnknownFieldIsNamedWithASuggestion() {
    String name = "e2e-unknown-" + RUN;
    Path file = RunbookYaml.backup(dir, name, SOURCE, PREFIX);
    Cli.Result r = cli.run("start", file.toString(), "--set", "database.pasword=x");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("database.pasword").contains("password");
    assertThat(workflowExists("backup/" + name)).isFalse();
  }

  @Test
  void aWrongTypeIsNamed() {
    String name = "e2e-type-" + RUN;
    Cli.Result r = cli.run("start", RunbookYaml.backup(dir, name, SOURCE, PREFIX).toString(), "--set", "retention.daily=seven");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("retention.daily").contains("seven");
    assertThat(workflowExists("backup/" + name)).isFalse();
  }

  @Test
  void aMissingSecretFailsTheRunWithTheReferenceAndStoresNothing() {
    String name = "e2e-nosecret-" + RUN;
    String prefix = PREFIX + "-nosecret";
    Cli.Result r =
        cli.run("start", RunbookYaml.backup(dir, name, SOURCE, prefix).toString(), "--watch",
            "--set", "database.password=${env:RUNBOOKS_E2E_NOT_SET}");
    assertThat(r.exitCode()).as(r.all()).isEqualTo(1);
    assertThat(r.all()).contains("CheckDatabase").contains("RUNBOOKS_E2E_NOT_SET");
    assertNothingStored(prefix);
  }

  @Test
  void anUnreachableDatabaseIsReportedClearlyAndStoresNothing() {
    String name = "e2e-unreachable-" + RUN;
    String prefix = PREFIX + "-unreachable";
    Cli.Result r =
        cli.run("start", RunbookYaml.backup(dir, name, SOURCE, prefix).toString(), "--watch",
            "--set", "database.url=jdbc:postgresql://127.0.0.1:1/" + SOURCE);
    assertThat(r.exitCode()).as(r.all()).isEqualTo(1);
    assertThat(r.all()).contains("CheckDatabase").contains("127.0.0.1:1");
    assertNothingStored(prefix);
  }

  @Test
  void wrongS3CredentialsAreReportedClearlyAndStoreNothing() throws Exception {
    String name = "e2e-s3creds-" + RUN;
    String prefix = PREFIX + "-s3creds";
    Path wrongKey = dir.resolve("wrong-access-key");
    Files.writeString(wrongKey, "NOT-A-KEY-" + RUN);
    Cli.Result r =
        cli.run("start", RunbookYaml.backup(dir, name, SOURCE, prefix).toString(), "--watch",
            "--set", "storage.accessKeyId=${file:" + wrongKey + "}");
    assertThat(r.exitCode()).as(r.all()).isEqualTo(1);
    assertThat(r.all()).contains("CheckStorage").containsIgnoringCase("storage.accessKeyId");
    assertNothingStored(prefix);
  }
}
