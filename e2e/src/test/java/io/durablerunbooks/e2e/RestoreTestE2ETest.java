package io.durablerunbooks.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The restore test as a schedule runs it: a fresh backup, restored into a staging database,
 * smoke-checked, each half a child workflow; and the runbook's Slack-compatible webhook, a secret
 * URL, told of each success without its token reaching the history.
 */
class RestoreTestE2ETest {

  private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  private static final String QUEUE = "e2e-rt-" + RUN;
  private static final String SOURCE = "e2e_rt_src_" + RUN;
  private static final String TARGET = "e2e_rt_dst_" + RUN;
  private static final String TOKEN = "T0KEN-" + UUID.randomUUID();

  @TempDir static Path dir;
  private static final List<JsonNode> received = new CopyOnWriteArrayList<>();
  private static HttpServer webhook;
  private static E2eSession e2e;
  private static Cli cli;

  @BeforeAll
  static void stackWorkerAndWebhook() throws Exception {
    e2e = E2eSession.withWorker(QUEUE, dir.resolve("worker.log"));
    cli = e2e.cli();
    SampleDatabase.create(SOURCE, 3_000);
    webhook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    ObjectMapper json = new ObjectMapper();
    webhook.createContext(
        "/services/" + TOKEN,
        exchange -> {
          received.add(json.readTree(exchange.getRequestBody()));
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    webhook.start();
  }

  @AfterAll
  static void cleanUp() throws Exception {
    if (webhook != null) {
      webhook.stop(0);
    }
    if (e2e != null) {
      e2e.close();
    }
    SampleDatabase.drop(SOURCE);
    for (String db : SampleDatabase.databasesLike(TARGET)) {
      SampleDatabase.drop(db);
    }
  }

  @Test
  void aRestoreTestBacksUpRestoresIntoStagingAndSmokeChecksTellingTheWebhook() throws Exception {
    Path hookFile = dir.resolve("webhook-url");
    Files.writeString(hookFile, "http://127.0.0.1:" + webhook.getAddress().getPort() + "/services/" + TOKEN + "\n");
    String name = "e2e-rt-" + RUN;
    Path file =
        RunbookYaml.write(
            dir,
            name,
            """
            kind: restore-test
            name: %s
            environment: staging
            notify: { webhook: "${file:%s}" }
            %s%s
            backup: { compression: zstd, level: 1, verify: read-back, partSize: 8MiB }
            retention: { daily: 2, weekly: 0 }
            takeBackup: true
            %s  keepPrevious: false
            smoke:
              minTables: 3
              queries:
                - name: orders reference customers
                  sql: select count(*) = 0 from orders o left join customers c on c.id = o.customer_id where c.id is null
                  expect: "t"
            """
                .formatted(
                    name,
                    hookFile,
                    RunbookYaml.connection("database", SOURCE, RunbookYaml.pgPassword()),
                    RunbookYaml.storage("e2e-rt-" + RUN),
                    RunbookYaml.connection("target", TARGET, RunbookYaml.pgPassword())));

    Cli.Result result = cli.run("start", file.toString(), "--watch");

    assertThat(result.exitCode()).as(result.all()).isZero();
    assertThat(result.out()).contains("SUCCEEDED", "Backup", "RestoreAndSmokeCheck");
    assertThat(SampleDatabase.fingerprint(TARGET)).isEqualTo(SampleDatabase.fingerprint(SOURCE)).hasSize(3);
    String id = "restore-test/" + name;
    for (String child : List.of(id + "/backup", id + "/restore")) {
      assertThat(status(child)).as(child).isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED);
    }
    String report = cli.run("report", id, "--format", "md").out();
    assertThat(report).contains("SUCCEEDED", "backup.sha256", "restored.tables", "rows.public.orders | 9000");

    assertThat(received).extracting(m -> m.path("text").asText())
        .anySatisfy(text -> assertThat(text).startsWith("[staging] " + name + "-backup succeeded: Backup s3://").contains("verified"))
        .anySatisfy(text -> assertThat(text).startsWith("[staging] " + name + "-restore succeeded: Restored ").endsWith(TARGET + "."));
    for (String workflowId : List.of(id, id + "/backup", id + "/restore")) {
      String history = e2e.historyBytes(workflowId);
      assertThat(history).as(workflowId).contains("${file:").doesNotContain(TOKEN);
    }
    assertThat(e2e.worker().log()).doesNotContain(TOKEN);
  }

  private WorkflowExecutionStatus status(String workflowId) {
    return e2e.temporal().newUntypedWorkflowStub(workflowId).describe().getStatus();
  }
}
