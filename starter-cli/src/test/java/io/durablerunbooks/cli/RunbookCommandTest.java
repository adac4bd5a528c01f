package io.durablerunbooks.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RunbookCommandTest {

  /** A valid backup runbook; its secrets are references, as the loader demands. */
  private static final String BACKUP =
      """
      kind: backup
      name: orders-nightly
      environment: staging
      database:
        url: jdbc:postgresql://127.0.0.1:15432/orders
        user: backup
        password: "${env:PGPASSWORD}"
      storage:
        endpoint: http://127.0.0.1:18080
        region: us-east-1
        bucket: backups
        prefix: postgres
        accessKeyId: "${env:S3_ACCESS_KEY}"
        secretAccessKey: "${env:S3_SECRET_KEY}"
        pathStyle: true
      retention:
        daily: 7
        weekly: 4
      """;

  /** A valid deploy runbook to two hosts, one with a port of its own and its url from the defaults. */
  static final String DEPLOY =
      """
      kind: deploy
      name: shop-web
      environment: staging
      approvers: [alice]
      release: v2.3.1
      artifact: /srv/builds/shop-v2.3.1.tar.gz
      ssh:
        user: deploy
        privateKey: "${file:/run/secrets/deploy_key}"
        knownHosts: /etc/runbooks/known_hosts
      hosts:
        - { name: web1, address: 10.0.0.11 }
        - { name: web2, address: 10.0.0.12, port: 2222 }
        - { name: web3, address: 10.0.0.13, url: "https://web3.shop.test" }
      defaults: { root: /srv/shop, url: "http://{address}:8080" }
      rollout: { batchSize: 2, maxFailures: 1, approveEachBatch: true }
      hooks:
        install: npm ci --production
        migrate: { dryRun: bin/migrate --dry-run, apply: bin/migrate }
      smoke: { database: /api/db, latency: /api/version, expectText: v2.3.1 }
      """;

  /** A valid rollout through one nginx, promoted by hand, its guard pausing on missing data. */
  static final String ROLLOUT =
      """
      kind: rollout
      name: shop-v2
      environment: staging
      approvers: [alice]
      nginx:
        host: { name: lb1, address: 10.0.0.5, port: 2222 }
        splitFile: /etc/nginx/conf.d/shop-split.conf
        variable: shop_backend
        v1: shop_v1
        v2: shop_v2
        test: sudo nginx -t
      ssh: { user: deploy, privateKey: "${file:/run/secrets/deploy_key}", knownHosts: /etc/runbooks/known_hosts }
      steps: [10, 50, 100]
      bake: 1h
      promote: manual
      probe: { url: "https://shop.example/api/version", rate: 20, timeout: 500ms }
      gates: { p95: 80ms, errorRate: 0.5%, availability: 99.5% }
      guards: { sustain: 1m, onMissingData: pause }
      """;

  @TempDir Path dir;

  /** Nothing listens there, so a command that tried to connect would fail with exit code 1. */
  private final Map<String, String> nowhere = Map.of("TEMPORAL_ADDRESS", "127.0.0.1:" + freePort());

  @Test
  void anUnknownVerbIsBadInputWithASuggestion() {
    Cli.Result r = Cli.run(nowhere, "valdate", "x.yaml");

    assertThat(r.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(r.err()).contains("'valdate'").contains("runbook validate").contains("see 'runbook --help'");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void noVerbIsBadInput() {
    assertThat(Cli.run(nowhere).exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
  }

  @Test
  void rejectWithoutACommentIsBadInput() {
    Cli.Result r = Cli.run(nowhere, "reject", "restore/x", "--as", "bob");

    assertThat(r.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(r.err()).contains("--comment");
  }

  @Test
  void rejectWithABlankCommentIsBadInput() {
    Cli.Result r = Cli.run(nowhere, "reject", "restore/x", "--as", "bob", "--comment", "  ");

    assertThat(r.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(r.err()).contains("a NO-GO must say why");
  }

  @Test
  void approveWithoutAnApproverIsBadInput() {
    Cli.Result r = Cli.run(nowhere, "approve", "restore/x");

    assertThat(r.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(r.err()).contains("--as");
  }

  @Test
  void pauseAndResumeWithoutAUserAreBadInput() {
    Cli.Result pause = Cli.run(nowhere, "pause", "rollout/x");
    Cli.Result resume = Cli.run(nowhere, "resume", "rollout/x", "--comment", "go on");

    assertThat(pause.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(pause.err()).contains("--as");
    assertThat(resume.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(resume.err()).contains("--as");
  }

  @Test
  void aBlankUserIsBadInputBeforeContactingTemporal() {
    Cli.Result r = Cli.run(nowhere, "pause", "rollout/x", "--as", "  ");

    assertThat(r.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(r.err()).isEqualTo("runbook: --as: who pauses? got an empty name\n");
  }

  @Test
  void validatePrintsTheKindNameAndEnvironmentOfAGoodFile() throws IOException {
    Path file = write("backup.yaml", BACKUP);

    Cli.Result r = Cli.run(nowhere, "validate", file.toString());

    assertThat(r.exitCode()).isEqualTo(ExitCodes.SUCCEEDED);
    assertThat(r.out()).startsWith("OK: backup orders-nightly (staging)\n");
    assertThat(r.out()).contains("backup/orders-nightly").contains("7 daily, 4 weekly");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void validateOfADeploySaysWhereWhatGoesAndHow() throws IOException {
    Path file = write("deploy.yaml", DEPLOY);

    Cli.Result r = Cli.run(nowhere, "validate", file.toString());

    assertThat(r.exitCode()).isEqualTo(ExitCodes.SUCCEEDED);
    assertThat(r.out())
        .isEqualTo(
            """
            OK: deploy shop-web (staging)
              workflow id:  deploy/shop-web on task queue $RUNBOOKS_TASK_QUEUE (default runbooks)
              release:      v2.3.1 from /srv/builds/shop-v2.3.1.tar.gz on the worker, uploaded over SFTP
              hosts:        3 hosts in this order, key ${file:/run/secrets/deploy_key}, host keys checked against /etc/runbooks/known_hosts
                            name  login                  root       application
                            web1  deploy@10.0.0.11:22    /srv/shop  http://10.0.0.11:8080
                            web2  deploy@10.0.0.12:2222  /srv/shop  http://10.0.0.12:8080
                            web3  deploy@10.0.0.13:22    /srv/shop  https://web3.shop.test
              batches:      2 batches of up to 2 hosts, a GO before each batch after the first
              failures:     up to 1 failed host tolerated, one more stops the rollout; a failed host is rolled back at once, the hosts already done stay on the new release
              hooks:        install, migrate (dry run, then apply, once per deploy); each within 10m 00s
              releases:     the newest 5 kept on each host
              smoke checks: health /health, frontPage / containing "v2.3.1", database /api/db, latency /api/version under 3.0s over 5 calls; skipped: staticAsset, databaseRead; each request within 10s
              approval:     none, runs unattended
              notify:       none
            """);
    assertThat(r.err()).isEmpty();
  }

  @Test
  void validateOfADeployToSomeGroupsShowsTheSelectedHostsTheirGroupsAndWhereTheReleaseComesFrom() throws IOException {
    String digest = "3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b";
    Path file =
        write(
            "deploy.yaml",
            DEPLOY
                .replace("artifact: /srv/builds/shop-v2.3.1.tar.gz", "artifact: { url: \"https://builds.example/shop.tar.gz\", sha256: " + digest + " }")
                .replace("address: 10.0.0.11 }", "address: 10.0.0.11, groups: [canary, eu-west] }")
                .replace("port: 2222 }", "port: 2222, groups: eu-west }")
                .replace("approveEachBatch: true }", "approveEachBatch: true, batchByGroup: true }"));

    Cli.Result r = Cli.run(nowhere, "validate", file.toString(), "--set", "only=eu-west");

    assertThat(r.exitCode()).isEqualTo(ExitCodes.SUCCEEDED);
    assertThat(r.out())
        .contains(
            """
              release:      v2.3.1 from https://builds.example/shop.tar.gz, downloaded by each host and checked against sha256 %s
              hosts:        2 hosts selected by only: eu-west, in this order, key ${file:/run/secrets/deploy_key}, host keys checked against /etc/runbooks/known_hosts
                            name  login                  root       application            groups
                            web1  deploy@10.0.0.11:22    /srv/shop  http://10.0.0.11:8080  canary, eu-west
                            web2  deploy@10.0.0.12:2222  /srv/shop  http://10.0.0.12:8080  eu-west
              batches:      2 batches of up to 2 hosts, each within one group (a host's first), a GO before each batch after the first
            """
                .formatted(digest));
  }

  @Test
  void validateOfARolloutSaysWhereTheTrafficGoesInWhichStepsAndWhatSendsItBack() throws IOException {
    Path file = write("rollout.yaml", ROLLOUT);

    Cli.Result r = Cli.run(nowhere, "validate", file.toString());

    assertThat(r.exitCode()).isEqualTo(ExitCodes.SUCCEEDED);
    assertThat(r.out())
        .isEqualTo(
            """
            OK: rollout shop-v2 (staging)
              workflow id:  rollout/shop-v2 on task queue $RUNBOOKS_TASK_QUEUE (default runbooks)
              nginx:        lb1 (deploy@10.0.0.5:2222), key ${file:/run/secrets/deploy_key}, host keys checked against /etc/runbooks/known_hosts
              split file:   /etc/nginx/conf.d/shop-split.conf sets $shop_backend to upstream shop_v1 (V1) or shop_v2 (V2); checked by 'sudo nginx -t', reloaded by 'nginx -s reload'
              steps:        V2 at 10%, 50%, 100%, each baked 1h 00m, a GO before each step after the first
              probe:        20 requests/s to https://shop.example/api/version through nginx, the version named by X-Rollout-Backend; observations of 10s, each request within 0.5s
              gates:        p95 <= 80ms, error rate < 0.5%, availability >= 99.5%
              guards:       back to V1 when p95 > 150ms or availability < 99% for 1m 00s, or error rate > 5% once; missing data: holds the weight until data returns
              split check:  400 requests after each change, V2's share within 8 percentage points of its weight
              approval:     none, runs unattended
              notify:       none
            """);
    assertThat(r.err()).isEmpty();
  }

  @Test
  void validateOfABrokenFileExitsTwoAndNamesTheField() throws IOException {
    Path file = write("broken.yaml", BACKUP.replace("jdbc:postgresql://", "mysql://"));

    Cli.Result r = Cli.run(nowhere, "validate", file.toString());

    assertThat(r.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(r.err()).contains("database.url").doesNotContain("\tat ");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void anOverrideIsValidatedLikeTheFile() throws IOException {
    Path file = write("backup.yaml", BACKUP);

    Cli.Result r = Cli.run(nowhere, "validate", file.toString(), "--set", "retention.daily=many");

    assertThat(r.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(r.err()).contains("retention.daily");
  }

  @Test
  void anOverrideWithoutAnEqualsSignIsBadInput() throws IOException {
    Path file = write("backup.yaml", BACKUP);

    Cli.Result r = Cli.run(nowhere, "validate", file.toString(), "--set", "environment");

    assertThat(r.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(r.err()).contains("--set");
  }

  @Test
  void verbosePrintsTheStackTrace() throws IOException {
    Path file = write("broken.yaml", "kind: [");

    Cli.Result r = Cli.run(nowhere, "validate", file.toString(), "--verbose");

    assertThat(r.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(r.err()).contains("InvalidRunbookException").contains("\tat ");
  }

  @Test
  void startOfAnInvalidFileStopsBeforeContactingTemporal() throws IOException {
    Path file = write("broken.yaml", BACKUP.replace("jdbc:postgresql://", "mysql://"));

    Cli.Result r = Cli.run(nowhere, "start", file.toString());

    // Exit 2, not the 1 of an unreachable server: the file was refused first.
    assertThat(r.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(r.err()).contains("database.url").doesNotContain("cannot reach Temporal");
  }

  @Test
  void anUnreachableServerIsOneClearLineAndExitOne() {
    String address = nowhere.get("TEMPORAL_ADDRESS");

    Cli.Result r = Cli.run(nowhere, "list");

    assertThat(r.exitCode()).isEqualTo(ExitCodes.FAILED);
    assertThat(r.err())
        .isEqualTo(
            "runbook: cannot reach Temporal at "
                + address
                + " (TEMPORAL_ADDRESS): start it with scripts/stack.sh up, or run 'runbook dev'\n");
  }

  @Test
  void listRefusesABadLimitOrStatusBeforeConnecting() {
    assertThat(Cli.run(nowhere, "list", "--limit", "0").exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    Cli.Result r = Cli.run(nowhere, "list", "--status", "asleep");
    assertThat(r.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(r.err()).contains("running, completed, failed");
  }

  @Test
  void scheduleCreateTakesExactlyOneOfCronAndEvery() throws IOException {
    Path file = write("backup.yaml", BACKUP);

    assertThat(Cli.run(nowhere, "schedule", "create", file.toString()).exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    Cli.Result both =
        Cli.run(nowhere, "schedule", "create", file.toString(), "--cron", "0 3 * * *", "--every", "24h");
    assertThat(both.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(both.err()).contains("mutually exclusive");
  }

  @Test
  void scheduleCreateRefusesATooShortCatchUpWindowBeforeConnecting() throws IOException {
    Path file = write("backup.yaml", BACKUP);

    Cli.Result r =
        Cli.run(nowhere, "schedule", "create", file.toString(), "--every", "1h", "--catchup-window", "5s");

    assertThat(r.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(r.err()).contains("--catchup-window");
  }

  @Test
  void everyVerbHasHelpWithAnExample() {
    CommandLine root = RunbookCommand.newCommandLine(nowhere);
    List<String> verbs = new ArrayList<>();
    collect(root, verbs);

    assertThat(verbs)
        .contains(
            "runbook validate",
            "runbook start",
            "runbook watch",
            "runbook approve",
            "runbook reject",
            "runbook pause",
            "runbook resume",
            "runbook cancel",
            "runbook list",
            "runbook history",
            "runbook report",
            "runbook schedule create",
            "runbook schedule list",
            "runbook schedule describe",
            "runbook schedule pause",
            "runbook schedule unpause",
            "runbook schedule trigger",
            "runbook schedule delete",
            "runbook dev");
    for (String verb : verbs) {
      List<String> args = new ArrayList<>(List.of(verb.split(" ")).subList(1, verb.split(" ").length));
      args.add("--help");
      Cli.Result r = Cli.run(nowhere, args.toArray(String[]::new));
      assertThat(r.exitCode()).as(verb).isEqualTo(ExitCodes.SUCCEEDED);
      assertThat(r.out()).as(verb).contains("Example").contains("  " + verb);
    }
  }

  @Test
  void topLevelHelpDocumentsTheExitCodes() {
    Cli.Result r = Cli.run(nowhere, "--help");

    assertThat(r.out())
        .contains("Exit codes:")
        .containsPattern("\\s" + ExitCodes.SUCCEEDED + "\\s+the run succeeded")
        .containsPattern("\\s" + ExitCodes.FAILED + "\\s+the run failed")
        .containsPattern("\\s" + ExitCodes.BAD_INPUT + "\\s+bad input")
        .containsPattern("\\s" + ExitCodes.STOPPED + "\\s+the run was rejected");
  }

  @Test
  void theInitiatorIsAsThenRunbookUserThenTheOsUser() {
    RunbookCommand withUser = new RunbookCommand(Map.of("RUNBOOK_USER", "carol"));
    RunbookCommand without = new RunbookCommand(Map.of());

    assertThat(withUser.initiator(Optional.of("alice"))).isEqualTo("alice");
    assertThat(withUser.initiator(Optional.empty())).isEqualTo("carol");
    assertThat(without.initiator(Optional.empty())).isEqualTo(System.getProperty("user.name"));
  }

  @Test
  void theUiLinkEncodesTheWorkflowId() {
    assertThat(RunbookCommand.uiLink("http://127.0.0.1:8233/", "default", "backup/orders-nightly", "run-1"))
        .isEqualTo("http://127.0.0.1:8233/namespaces/default/workflows/backup%2Forders-nightly/run-1/history");
  }

  private static void collect(CommandLine line, List<String> into) {
    for (CommandLine sub : line.getSubcommands().values()) {
      if (!(sub.getCommandSpec().userObject() instanceof ScheduleCommand)) {
        into.add(sub.getCommandSpec().qualifiedName());
      }
      collect(sub, into);
    }
  }

  private Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
