package io.durablerunbooks.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.durablerunbooks.runbook.RunbookWorkflow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deploys of the demo application to the four SSH hosts of the local stack (separate sshd's on
 * 127.0.0.1, each serving its {@code current} release), through the CLI and a real worker.
 */
class DeployE2ETest {

  private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  private static final String QUEUE = "e2e-deploy-" + RUN;

  @TempDir static Path dir;
  private static E2eSession e2e;
  private static Cli cli;

  @BeforeAll
  static void stackAndWorker() throws Exception {
    e2e = E2eSession.withWorker(QUEUE, dir.resolve("worker.log"));
    cli = e2e.cli();
  }

  @AfterAll
  static void cleanUp() throws Exception {
    if (e2e != null) {
      e2e.close();
    }
  }

  private static Path runbook(String name, String release, Path artifact, String install, String rollout) {
    return RunbookYaml.deploy(dir, name, release, artifact, install, rollout, List.of(1, 2, 3, 4));
  }

  private static Path runbook(String name, String release, Path artifact, String install, String rollout, List<Integer> on) {
    return RunbookYaml.deploy(dir, name, release, artifact, install, rollout, on);
  }

  @Test
  void aRollingDeployReachesEveryHostWithoutAFailedRequestAndMigratesOnce() throws Exception {
    String release = "v2-" + RUN;
    String table = "deploy_e2e_" + RUN;
    Path artifact = DemoHosts.artifact(dir, release, Map.of("migrations/" + release + ".sql", "create table " + table + " (id int);\n"));
    List<String> before = new ArrayList<>();
    for (int k = 1; k <= DemoHosts.COUNT; k++) {
      before.add(DemoHosts.servedVersion(k));
    }
    Path file = runbook("e2e-deploy-" + RUN, release, artifact, "bin/build", "{ batchSize: 2, maxFailures: 0 }");

    Cli.Result result;
    try (DemoHosts.Hammer web1 = new DemoHosts.Hammer(1); DemoHosts.Hammer web4 = new DemoHosts.Hammer(4)) {
      result = cli.run("start", file.toString(), "--watch");
      web1.close();
      web4.close();
      for (DemoHosts.Hammer hammer : List.of(web1, web4)) {
        assertThat(hammer.kinds()).as("answers during the switch: %s", hammer.answers())
            .allMatch(a -> a.equals("200 " + release) || before.contains(a))
            .contains("200 " + release);
      }
    }

    assertThat(result.exitCode()).as(result.all()).isZero();
    for (int k = 1; k <= DemoHosts.COUNT; k++) {
      assertThat(DemoHosts.servedVersion(k)).isEqualTo("200 " + release);
      assertThat(DemoHosts.currentRelease(k)).isEqualTo(release);
    }
    String history = cli.run("history", "deploy/e2e-deploy-" + RUN).out();
    assertThat(history.split("MigrateApply", -1)).as("one MigrateApply in\n" + history).hasSize(2);
    try (Connection c = Stack.connect("demo_app"); ResultSet rows = c.createStatement().executeQuery(
        "select count(*) from schema_migrations where version = '" + release + "'")) {
      rows.next();
      assertThat(rows.getInt(1)).isEqualTo(1);
    }
  }

  @Test
  void twoDeploysToOneHostDoNotInterleave() throws Exception {
    String first = "v5-" + RUN;
    String second = "v6-" + RUN;
    Path slow = runbook("e2e-first-" + RUN, first, DemoHosts.artifact(dir, first, Map.of()), "sleep 4; bin/build", "{ batchSize: 1 }", List.of(3));
    Path quick = runbook("e2e-second-" + RUN, second, DemoHosts.artifact(dir, second, Map.of()), "bin/build", "{ batchSize: 1 }", List.of(3));

    Cli.Result started = cli.run("start", slow.toString());
    assertThat(started.exitCode()).as(started.all()).isZero();
    Cli.Result secondRun = cli.run("start", quick.toString(), "--watch");
    Cli.Result firstRun = cli.run("watch", "deploy/e2e-first-" + RUN);

    assertThat(firstRun.exitCode()).as(firstRun.all()).isZero();
    assertThat(secondRun.exitCode()).as(secondRun.all()).isZero();
    Map<String, Instant[]> a = steps("deploy/e2e-first-" + RUN);
    Map<String, Instant[]> b = steps("deploy/e2e-second-" + RUN);
    assertThat(b.get("web3: LockHost")[0]).as("the second deploy asked for the lock while the first held it")
        .isBefore(a.get("web3: UnlockHost")[0]);
    assertThat(b.get("web3: LockHost")[1]).as("and got it only after the first let go")
        .isAfterOrEqualTo(a.get("web3: UnlockHost")[1]);
    assertThat(DemoHosts.currentRelease(3)).isEqualTo(second);
  }

  /** Step name to its start and end, from the run's JSON report. */
  private static Map<String, Instant[]> steps(String id) throws Exception {
    JsonNode report = new ObjectMapper().readTree(cli.run("report", id, "--format", "json").out());
    Map<String, Instant[]> steps = new java.util.HashMap<>();
    for (JsonNode s : report.path("steps")) {
      steps.put(s.path("name").asText(), new Instant[] {Instant.parse(s.path("startedAt").asText()), Instant.parse(s.path("finishedAt").asText())});
    }
    return steps;
  }

  @Test
  void aReleaseFailingItsSmokeCheckOnOneHostIsSwitchedBackThereAndStopsTheRollout() throws Exception {
    String good = "v3-" + RUN;
    Path goodArtifact = DemoHosts.artifact(dir, good, Map.of());
    assertThat(cli.run("start", runbook("e2e-good-" + RUN, good, goodArtifact, "bin/build", "{ batchSize: 4 }").toString(), "--watch")
        .exitCode()).isZero();

    String bad = "v4-" + RUN;
    Path badArtifact = DemoHosts.artifact(dir, bad, Map.of());
    String failOnWeb2 = "if [ \"$RUNBOOKS_LOCAL_HOST\" = web2 ]; then echo / > FAIL_ROUTES; fi; bin/build";
    Cli.Result result =
        cli.run("start", runbook("e2e-bad-" + RUN, bad, badArtifact, failOnWeb2, "{ batchSize: 1, maxFailures: 0 }").toString(), "--watch");

    assertThat(result.exitCode()).as(result.all()).isEqualTo(1);
    assertThat(DemoHosts.servedVersion(1)).isEqualTo("200 " + bad);
    assertThat(DemoHosts.servedVersion(2)).as("web2 back on the good release").isEqualTo("200 " + good);
    assertThat(DemoHosts.currentRelease(2)).isEqualTo(good);
    assertThat(DemoHosts.servedVersion(3)).as("the rollout stopped before web3").isEqualTo("200 " + good);
    assertThat(DemoHosts.servedVersion(4)).isEqualTo("200 " + good);
    String report = cli.run("report", "deploy/e2e-bad-" + RUN, "--format", "md").out();
    assertThat(report).contains("FAILED", "web2: SmokeCheck", "frontPage: /: HTTP 500", "switched back to " + good, "web2: SwitchBack");
  }

  @Test
  void aRollbackSkipsAReleaseMarkedBadMarksTheOneItLeavesAndThatOneCannotBeDeployedAgain() throws Exception {
    List<Integer> on = List.of(1, 2);
    String r1 = "r1-" + RUN;
    String r2 = "r2-" + RUN;
    String r3 = "r3-" + RUN;
    Map<String, Path> artifacts = new java.util.HashMap<>();
    for (String r : List.of(r1, r2, r3)) {
      artifacts.put(r, DemoHosts.artifact(dir, r, Map.of()));
      Cli.Result deployed =
          cli.run("start", runbook("e2e-" + r, r, artifacts.get(r), "bin/build", "{ batchSize: 2 }", on).toString(), "--watch");
      assertThat(deployed.exitCode()).as(deployed.all()).isZero();
    }
    // An earlier rollback found r2 bad; its mark on web2 is all that is left of it.
    Path earlierMark = DemoHosts.root(2).resolve("release-marks/" + r2 + ".bad");
    Files.createDirectories(earlierMark.getParent());
    Files.writeString(earlierMark, "marked bad at 2026-11-30T00:00:00Z by rollback/earlier run 1: slow search\n");

    String id = "rollback/e2e-rollback-" + RUN;
    Cli.Result started = cli.run("start", RunbookYaml.rollback(dir, "e2e-rollback-" + RUN, r3 + " shows a blank page", on).toString());
    assertThat(started.exitCode()).as(started.all()).isZero();
    RunbookWorkflow rollback = e2e.temporal().newWorkflowStub(RunbookWorkflow.class, id);
    for (int i = 0; i < 240 && !rollback.progress().gate().open(); i++) {
      Thread.sleep(250);
    }
    assertThat(rollback.progress().gate().open()).as("the rollback asks for its confirmation").isTrue();
    assertThat(DemoHosts.servedVersion(1)).as("nothing changes before the GO").isEqualTo("200 " + r3);
    assertThat(DemoHosts.root(1).resolve("release-marks/" + r3 + ".bad")).doesNotExist();

    Cli.Result watched;
    try (DemoHosts.Hammer web1 = new DemoHosts.Hammer(1)) {
      Cli.Result go = cli.run("approve", id, "--as", "alice", "--comment", "blank page confirmed");
      assertThat(go.exitCode()).as(go.all()).isZero();
      watched = cli.run("watch", id);
      web1.close();
      assertThat(web1.kinds()).as("answers during the rollback: %s", web1.answers())
          .allMatch(a -> a.equals("200 " + r3) || a.equals("200 " + r1)).contains("200 " + r1);
    }

    assertThat(watched.exitCode()).as(watched.all()).isZero();
    for (int k : on) {
      assertThat(DemoHosts.servedVersion(k)).as("r2 is skipped: marked bad on web2").isEqualTo("200 " + r1);
      assertThat(DemoHosts.currentRelease(k)).isEqualTo(r1);
      assertThat(Files.readString(DemoHosts.root(k).resolve("release-marks/" + r3 + ".bad")))
          .contains("marked bad at ", "by " + id + " run ", r3 + " shows a blank page");
    }
    String report = cli.run("report", id, "--format", "md").out();
    assertThat(report).contains("SUCCEEDED", r2 + " is marked bad on web2", "slow search", "blank page confirmed");

    Cli.Result again = cli.run("start", runbook("e2e-again-" + r3, r3, artifacts.get(r3), "bin/build", "{ batchSize: 2 }", on)
        .toString(), "--watch");
    assertThat(again.exitCode()).as(again.all()).isEqualTo(1);
    assertThat(cli.run("report", "deploy/e2e-again-" + r3, "--format", "md").out())
        .contains("release " + r3 + " was marked bad at ", r3 + " shows a blank page");
    assertThat(DemoHosts.currentRelease(1)).as("the refused deploy changed nothing").isEqualTo(r1);
  }
}
