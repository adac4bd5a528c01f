package io.durablerunbooks.runbook;

import static org.assertj.core.api.Assertions.assertThat;

import io.durablerunbooks.backup.BackupRequest;
import io.durablerunbooks.deploy.Artifact;
import io.durablerunbooks.deploy.DeployHooks;
import io.durablerunbooks.deploy.DeployRequest;
import io.durablerunbooks.deploy.DeploySpec;
import io.durablerunbooks.deploy.HostTarget;
import io.durablerunbooks.deploy.RolloutPolicy;
import io.durablerunbooks.report.Outcome;
import io.durablerunbooks.report.RunbookReport;
import io.durablerunbooks.report.StepRecord;
import io.durablerunbooks.report.StepStatus;
import io.durablerunbooks.restore.RestoreRequest;
import io.durablerunbooks.restoretest.RestoreTestRequest;
import io.durablerunbooks.rollout.PauseRecord;
import io.durablerunbooks.rollout.PauseRequest;
import io.durablerunbooks.secrets.SecretRef;
import io.durablerunbooks.smoke.AppSmokeSpec;
import io.durablerunbooks.ssh.SshAccess;
import io.durablerunbooks.ssh.SshHost;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every record that crosses Temporal survives its data converter unchanged. Jackson serialises
 * derived getters too, and Temporal's converter refuses unknown properties, so a careless
 * {@code isSomething()} on a record would make every workflow task fail.
 */
class PayloadRoundTripTest {

  private static final DataConverter CONVERTER = DefaultDataConverter.newDefaultInstance();

  static Stream<Object> payloads() {
    Instant t = Instant.parse("2026-11-22T03:00:00Z");
    return Stream.of(
        new BackupRequest(new RunContext("carol", false), Fixtures.backup(Fixtures.approvers("alice"))),
        new RestoreRequest(new RunContext("carol", true), Fixtures.restore("production", true, Fixtures.approvers("bob"))),
        new RestoreTestRequest(new RunContext(RunContext.SCHEDULER, false), Fixtures.restoreTest()),
        new DeployRequest(new RunContext("carol", false), deploy(new Artifact.WorkerFile("/srv/builds/shop-v2.tar.gz"))),
        new DeployRequest(
            new RunContext("carol", false), deploy(new Artifact.Download("https://builds.example/shop-v2.tar.gz", "ab".repeat(32)))),
        new DeployRequest(new RunContext("carol", true), deploy(new Artifact.GitRef("https://git.example/shop.git", "v2"))),
        Fixtures.manifest("postgres/x.dump.zst", "ab"),
        new PauseRequest("alice", "checking the dashboards"),
        new PauseRecord(true, 25, "alice", "", t),
        new RunbookReport(
            "backup", "x", "staging", "backup/x", "run", "carol", false, Outcome.SUCCEEDED, "", t, t,
            List.of(new StepRecord("CheckDatabase", StepStatus.SUCCEEDED, t, t.plusSeconds(1), "ok")),
            List.of(), Map.of("backup.key", "k")));
  }

  private static DeploySpec deploy(Artifact artifact) {
    SshAccess access = new SshAccess(SecretRef.of("${env:DEPLOY_KEY}"), "", "/etc/runbooks/known_hosts");
    return new DeploySpec(
        Fixtures.header(RunbookKind.DEPLOY, "shop-web", "staging", ApprovalPolicy.unattended()),
        "v2",
        artifact,
        List.of(
            new HostTarget(new SshHost("web1", "10.0.0.1", 22, "deploy"), access, "/srv/shop", "http://10.0.0.1:8080", List.of("canary")),
            new HostTarget(new SshHost("web2", "10.0.0.2", 22, "deploy"), access, "/srv/shop", "http://10.0.0.2:8080", List.of())),
        List.of("canary", "web2"),
        new RolloutPolicy(1, 0, false, false, true),
        new DeployHooks("", "", "", "", Duration.ofMinutes(5)),
        5,
        new AppSmokeSpec("/health", "/", "", "", "", "", AppSmokeSpec.DEFAULT_LATENCY_LIMIT, 1, "", Duration.ofSeconds(5)));
  }

  @ParameterizedTest
  @MethodSource("payloads")
  void survivesTheDataConverter(Object payload) {
    Object back = CONVERTER.fromPayload(CONVERTER.toPayload(payload).orElseThrow(), payload.getClass(), payload.getClass());
    assertThat(back).isEqualTo(payload);
  }

  @Test
  void aDeployStartedBeforeArtifactFormsAndGroupsReadsAsAWorkerFileToAllHostsUngrouped() throws IOException {
    WorkflowExecutionHistory history =
        WorkflowExecutionHistory.fromJson(Files.readString(Histories.DIR.resolve("deploy-happy.json")), "deploy-happy");
    Payload input = history.getEvents().get(0).getWorkflowExecutionStartedEventAttributes().getInput().getPayloads(0);
    assertThat(input.getData().toStringUtf8()).contains("\"artifact\":\"/srv/builds/shop-v2.tar.gz\"").doesNotContain("groups");

    DeploySpec spec = CONVERTER.fromPayload(input, DeployRequest.class, DeployRequest.class).spec();

    assertThat(spec.artifact()).isEqualTo(new Artifact.WorkerFile("/srv/builds/shop-v2.tar.gz"));
    assertThat(spec.hosts()).hasSize(4).allSatisfy(h -> assertThat(h.groups()).isEmpty());
    assertThat(spec.only()).isEmpty();
    assertThat(spec.rollout().batchByGroup()).isFalse();
  }
}
