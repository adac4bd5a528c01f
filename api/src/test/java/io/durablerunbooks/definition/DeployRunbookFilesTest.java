package io.durablerunbooks.definition;

import static io.durablerunbooks.definition.RunbookFilesTest.assertOnlyError;
import static io.durablerunbooks.definition.RunbookFilesTest.errors;
import static io.durablerunbooks.definition.RunbookFilesTest.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.durablerunbooks.deploy.Artifact;
import io.durablerunbooks.deploy.DeployHooks;
import io.durablerunbooks.deploy.DeploySpec;
import io.durablerunbooks.deploy.HostTarget;
import io.durablerunbooks.deploy.RolloutPolicy;
import io.durablerunbooks.runbook.ApprovalPolicy;
import io.durablerunbooks.runbook.RunbookHeader;
import io.durablerunbooks.runbook.RunbookKind;
import io.durablerunbooks.secrets.SecretRef;
import io.durablerunbooks.smoke.AppSmokeSpec;
import io.durablerunbooks.ssh.SshAccess;
import io.durablerunbooks.ssh.SshHost;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DeployRunbookFilesTest {

  static final String DEPLOY =
      """
      kind: deploy
      name: shop-web
      environment: staging
      description: Shop web tier
      approvers: [alice]
      approval: { required: true, timeout: 30m }
      release: v2.3.1
      artifact: /srv/builds/shop-v2.3.1.tar.gz
      ssh:
        user: deploy
        privateKey: "${file:/run/secrets/deploy_key}"
        passphrase: "${env:DEPLOY_KEY_PASSPHRASE}"
        knownHosts: /etc/runbooks/known_hosts
        port: 2200
      hosts:
        - { name: web1, address: 10.0.0.11, root: /srv/shop-a, url: "http://10.0.0.11:9090/shop" }
        - { name: web2, address: web2.internal, port: 2222 }
      defaults: { root: /srv/shop, url: "http://{address}:8080" }
      rollout: { batchSize: 2, maxFailures: 1, rollbackCompletedOnFailure: true, approveEachBatch: true }
      hooks:
        install: "npm ci --production"
        migrate: { dryRun: "bin/migrate --dry-run", apply: "bin/migrate" }
        restart: "sudo systemctl reload shop"
        timeout: 5m
      keepReleases: 3
      smoke:
        health: /healthz
        frontPage: /home
        database: /api/db
        staticAsset: /static/app.css
        databaseRead: /api/items
        latency: /api/version
        latencyLimit: 2s
        latencySamples: 7
        expectText: "v2.3.1"
        timeout: 4s
      """;

  /** Only what a deploy requires, every host's root and url from the defaults. */
  static final String MINIMAL_DEPLOY =
      """
      kind: deploy
      name: shop-web
      environment: staging
      release: v2.3.1
      artifact: /srv/builds/shop-v2.3.1.tar.gz
      ssh:
        user: deploy
        privateKey: "${file:/run/secrets/deploy_key}"
        knownHosts: /etc/runbooks/known_hosts
      hosts:
        - { name: web1, address: 10.0.0.11 }
        - { name: web2, address: 10.0.0.12 }
        - { name: web3, address: 10.0.0.13 }
        - { name: web4, address: 10.0.0.14 }
      defaults: { root: /srv/shop, url: "http://{address}:8080" }
      """;

  private static DeploySpec deploy(String yaml, Map<String, String> overrides) {
    return (DeploySpec) parse(yaml, overrides);
  }

  @Nested
  class ValidFiles {

    @Test
    void deployFileBecomesADeploySpecWithEveryFieldItSays() {
      SshAccess access =
          new SshAccess(
              SecretRef.of("${file:/run/secrets/deploy_key}"), "${env:DEPLOY_KEY_PASSPHRASE}", "/etc/runbooks/known_hosts");

      assertThat(parse(DEPLOY))
          .isEqualTo(
              new DeploySpec(
                  new RunbookHeader(
                      RunbookKind.DEPLOY,
                      "shop-web",
                      "staging",
                      "Shop web tier",
                      new ApprovalPolicy(true, List.of("alice"), false, Duration.ofMinutes(30)),
                      ""),
                  "v2.3.1",
                  new Artifact.WorkerFile("/srv/builds/shop-v2.3.1.tar.gz"),
                  List.of(
                      new HostTarget(
                          new SshHost("web1", "10.0.0.11", 2200, "deploy"),
                          access,
                          "/srv/shop-a",
                          "http://10.0.0.11:9090/shop",
                          List.of()),
                      new HostTarget(
                          new SshHost("web2", "web2.internal", 2222, "deploy"),
                          access,
                          "/srv/shop",
                          "http://web2.internal:8080",
                          List.of())),
                  List.of(),
                  new RolloutPolicy(2, 1, true, true, false),
                  new DeployHooks(
                      "npm ci --production", "bin/migrate --dry-run", "bin/migrate", "sudo systemctl reload shop", Duration.ofMinutes(5)),
                  3,
                  new AppSmokeSpec(
                      "/healthz",
                      "/home",
                      "/api/db",
                      "/static/app.css",
                      "/api/items",
                      "/api/version",
                      Duration.ofSeconds(2),
                      7,
                      "v2.3.1",
                      Duration.ofSeconds(4))));
    }

    @Test
    void leftOutFieldsTakeTheDocumentedDefaults() {
      DeploySpec spec = deploy(MINIMAL_DEPLOY, Map.of());

      assertThat(spec.header().approval()).isEqualTo(ApprovalPolicy.unattended());
      assertThat(spec.hosts()).extracting(h -> h.host().port()).containsOnly(22);
      assertThat(spec.hosts().get(0).access().passphrase()).isEmpty();
      assertThat(spec.rollout()).isEqualTo(new RolloutPolicy(1, 0, false, false, false));
      assertThat(spec.only()).isEmpty();
      assertThat(spec.hosts()).allSatisfy(h -> assertThat(h.groups()).isEmpty());
      assertThat(spec.hooks()).isEqualTo(new DeployHooks("", "", "", "", Duration.ofMinutes(10)));
      assertThat(spec.keepReleases()).isEqualTo(5);
      assertThat(spec.smoke())
          .isEqualTo(new AppSmokeSpec("/health", "/", "", "", "", "", Duration.ofSeconds(3), 5, "", Duration.ofSeconds(10)));
    }

    @Test
    void theDefaultsFillInEachHostsRootAndUrlAndTheHostsOwnValuesWin() {
      String yaml =
          MINIMAL_DEPLOY
              .replace("{ name: web2, address: 10.0.0.12 }", "{ name: web2, address: 10.0.0.12, root: /opt/shop }")
              .replace("{ name: web3, address: 10.0.0.13 }", "{ name: web3, address: 10.0.0.13, url: \"https://{name}.shop.test\" }")
              .replace("{ name: web4, address: 10.0.0.14 }", "{ name: web4, address: \"fd00::14\" }");

      List<HostTarget> hosts = deploy(yaml, Map.of()).hosts();

      assertThat(hosts).extracting(HostTarget::root).containsExactly("/srv/shop", "/opt/shop", "/srv/shop", "/srv/shop");
      assertThat(hosts)
          .extracting(HostTarget::appUrl)
          .containsExactly("http://10.0.0.11:8080", "http://10.0.0.12:8080", "https://web3.shop.test", "http://[fd00::14]:8080");
    }

    @Test
    void theHostsKeepTheirOrder() {
      String yaml = MINIMAL_DEPLOY.replace("name: web1,", "name: zeta,");

      assertThat(deploy(yaml, Map.of()).hosts()).extracting(HostTarget::name).containsExactly("zeta", "web2", "web3", "web4");
    }

    @Test
    void theReleaseCanBeSetOnTheCommandLine() {
      assertThat(deploy(DEPLOY, Map.of("release", "v2.3.2")).release()).isEqualTo("v2.3.2");
      assertThat(deploy(DEPLOY, Map.of("release", "\"2.4\"")).release()).isEqualTo("2.4");
    }

    @ParameterizedTest
    @CsvSource({"25%, 1", "60%, 2", "74%, 2", "0%, 0", "3, 3"})
    void maxFailuresIsACountOrAPercentOfTheHostsRoundedDown(String maxFailures, int count) {
      DeploySpec spec = deploy(MINIMAL_DEPLOY, Map.of("rollout.maxFailures", maxFailures));

      assertThat(spec.rollout().maxFailures()).isEqualTo(count);
    }

    @Test
    void aProductionDeployLoadsWithAnApproval() {
      DeploySpec spec =
          deploy(MINIMAL_DEPLOY, Map.of("environment", "production", "approval.required", "true", "approvers", "alice"));

      assertThat(spec.header().production()).isTrue();
      assertThat(spec.header().approval().required()).isTrue();
    }

    @Test
    void aHookLeftBlankIsSkipped() {
      DeploySpec spec = deploy(MINIMAL_DEPLOY, Map.of("hooks.install", " ", "hooks.restart", "bin/reload"));

      assertThat(spec.hooks().install()).isEmpty();
      assertThat(spec.hooks().restart()).isEqualTo("bin/reload");
    }
  }

  @Nested
  class Rules {

    @Test
    void everyErrorOfTheFileIsReportedInOnePass() {
      String yaml =
          DEPLOY
              .replace("release: v2.3.1", "release: v2 3")
              .replace("artifact: /srv/builds/", "artifact: builds/")
              .replace("  user: deploy\n", "")
              .replace("address: web2.internal, port: 2222", "address: 10.0.0.11, port: 2200")
              .replace("maxFailures: 1", "maxFailures: 2")
              .replace("apply: \"bin/migrate\"", "aply: \"bin/migrate\"")
              .replace("keepReleases: 3", "keepReleases: 1")
              .replace("health: /healthz", "health: healthz");

      assertThat(errors(yaml))
          .extracting(FieldError::path)
          .containsExactly(
              "release",
              "artifact",
              "ssh.user",
              "hosts[1].address",
              "rollout.maxFailures",
              "hooks.migrate.aply",
              "hooks.migrate.apply",
              "keepReleases",
              "smoke.health");
    }

    @Test
    void theReleaseIsRequired() {
      assertOnlyError(errors(MINIMAL_DEPLOY.replace("release: v2.3.1\n", "")), "release", "required");
    }

    @ParameterizedTest
    @ValueSource(strings = {"v2 3", "../v2", "v2..3", "-v2", "v2/3"})
    void theReleaseNamesADirectory(String release) {
      assertOnlyError(
          errors(MINIMAL_DEPLOY, Map.of("release", release)),
          "release",
          "must be letters, digits, '.', '_', '+' or '-', start with a letter or digit, have no '..' and be at most 100"
              + " characters, since it names a directory on every host (got \"" + release + "\")");
    }

    @Test
    void aReleaseYamlReadsAsANumberMustBeQuoted() {
      assertOnlyError(errors(MINIMAL_DEPLOY, Map.of("release", "2.4")), "release", "expected a string, got 2.4");
    }

    @Test
    void theArtifactIsAnAbsoluteTarGzOnTheWorker() {
      assertOnlyError(
          errors(MINIMAL_DEPLOY, Map.of("artifact", "builds/shop.tar.gz")),
          "artifact",
          "must be an absolute path on the worker, like /srv/builds/shop-v2.3.1.tar.gz (got \"builds/shop.tar.gz\")");
      assertOnlyError(
          errors(MINIMAL_DEPLOY, Map.of("artifact", "/srv/builds/shop.zip")),
          "artifact",
          "must be a gzipped tar archive of the release's files, named *.tar.gz or *.tgz");
      assertOnlyError(errors(MINIMAL_DEPLOY.replace("artifact: /srv/builds/shop-v2.3.1.tar.gz\n", "")), "artifact", "required");
    }

    @Test
    void sshIsRequired() {
      String yaml = MINIMAL_DEPLOY.replaceAll("(?s)ssh:.*?knownHosts: /etc/runbooks/known_hosts\n", "");

      assertOnlyError(errors(yaml), "ssh", "required");
    }

    @Test
    void theLoginIsAUserName() {
      assertOnlyError(errors(MINIMAL_DEPLOY, Map.of("ssh.user", "deploy user")), "ssh.user", "must be a login name like deploy");
    }

    @Test
    void aLiteralPrivateKeyIsRefusedWithoutRepeatingIt() {
      InvalidRunbookException e =
          catchThrowableOfType(
              InvalidRunbookException.class,
              () -> parse(MINIMAL_DEPLOY, Map.of("ssh.privateKey", "b3BlbnNzaC1rZXktdjEAAAAA")));

      assertOnlyError(
          e.errors(),
          "ssh.privateKey",
          "must be a secret reference like ${env:DEPLOY_SSH_KEY} or ${file:/run/secrets/deploy_key}; a literal value would be"
              + " stored in the workflow history");
      assertThat(e.getMessage()).doesNotContain("b3BlbnNzaC1rZXktdjEAAAAA");
    }

    @Test
    void aLiteralPassphraseIsRefusedWithoutRepeatingIt() {
      InvalidRunbookException e =
          catchThrowableOfType(
              InvalidRunbookException.class, () -> parse(MINIMAL_DEPLOY, Map.of("ssh.passphrase", "hunter22")));

      assertOnlyError(e.errors(), "ssh.passphrase", "must be a secret reference like ${env:DEPLOY_KEY_PASSPHRASE}");
      assertThat(e.getMessage()).doesNotContain("hunter22");
    }

    @Test
    void knownHostsIsAnAbsolutePathAndRequired() {
      assertOnlyError(
          errors(MINIMAL_DEPLOY, Map.of("ssh.knownHosts", "~/.ssh/known_hosts")),
          "ssh.knownHosts",
          "must be an absolute path on the worker, like /etc/runbooks/known_hosts");
      assertOnlyError(
          errors(MINIMAL_DEPLOY.replace("  knownHosts: /etc/runbooks/known_hosts\n", "")), "ssh.knownHosts", "required");
    }

    @Test
    void thereIsNoWayToSkipHostKeyChecks() {
      assertOnlyError(
          errors(MINIMAL_DEPLOY, Map.of("ssh.strictHostKeyChecking", "false")), "ssh.strictHostKeyChecking", "unknown field");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "65536", "ssh"})
    void portsAreFrom1To65535(String port) {
      assertOnlyError(errors(MINIMAL_DEPLOY, Map.of("ssh.port", port)), "ssh.port", "expected an integer between 1 and 65535");
      assertOnlyError(errors(MINIMAL_DEPLOY, Map.of("hosts.1.port", port)), "hosts[1].port", "expected an integer between 1 and 65535");
    }

    @Test
    void atLeastOneHostIsRequired() {
      String yaml = MINIMAL_DEPLOY.replaceAll("(?s)hosts:.*?10\\.0\\.0\\.14 }\n", "hosts: []\n");

      assertOnlyError(errors(yaml), "hosts", "required: at least one host, in rollout order");
    }

    @Test
    void aHostNeedsANameAndAnAddress() {
      String yaml = MINIMAL_DEPLOY.replace("{ name: web2, address: 10.0.0.12 }", "{ adress: 10.0.0.12 }");

      assertThat(errors(yaml))
          .extracting(FieldError::toString)
          .containsExactly("hosts[1].name: required", "hosts[1].address: required", "hosts[1].adress: unknown field (did you mean \"address\"?)");
    }

    @Test
    void hostNamesAreDistinctLabels() {
      assertOnlyError(
          errors(MINIMAL_DEPLOY, Map.of("hosts.2.name", "web1")),
          "hosts[2].name",
          "\"web1\" names hosts[0] too; names tell the hosts apart in reports and locks");
      assertOnlyError(errors(MINIMAL_DEPLOY, Map.of("hosts.0.name", "Web_1")), "hosts[0].name", "must be lowercase letters");
    }

    @Test
    void aHostIsListedOnce() {
      assertOnlyError(
          errors(MINIMAL_DEPLOY, Map.of("hosts.3.address", "10.0.0.11")),
          "hosts[3].address",
          "is hosts[0] again (10.0.0.11, port 22); a host listed twice would be deployed twice at once");
    }

    @Test
    void oneAddressMayHoldHostsOnOtherPorts() {
      DeploySpec spec = deploy(MINIMAL_DEPLOY, Map.of("hosts.3.address", "10.0.0.11", "hosts.3.port", "2222"));

      assertThat(spec.hosts().get(3).host()).isEqualTo(new SshHost("web4", "10.0.0.11", 2222, "deploy"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.11;reboot", "-oProxyCommand=x", "web 1", "http://web1"})
    void anAddressIsAHostNameOrIp(String address) {
      assertOnlyError(
          errors(MINIMAL_DEPLOY, Map.of("hosts.0.address", address)),
          "hosts[0].address",
          "must be a host name or an IP address, like 10.0.0.11 or web1.internal");
    }

    @Test
    void everyHostEndsUpWithARootAndAUrl() {
      String yaml = MINIMAL_DEPLOY.replace("defaults: { root: /srv/shop, url: \"http://{address}:8080\" }\n", "")
          .replace("{ name: web1, address: 10.0.0.11 }", "{ name: web1, address: 10.0.0.11, root: /srv/shop, url: \"http://{address}\" }");

      List<FieldError> errors = errors(yaml);

      assertThat(errors)
          .extracting(FieldError::path)
          .containsExactly("hosts[1].root", "hosts[1].url", "hosts[2].root", "hosts[2].url", "hosts[3].root", "hosts[3].url");
      assertThat(errors.get(0).message()).isEqualTo("required: give hosts[1].root or defaults.root, an absolute directory like /srv/shop");
      assertThat(errors.get(1).message()).startsWith("required: give hosts[1].url or defaults.url");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "srv/shop", "/srv/shop/", "/srv/../etc", "/srv/./shop", "/srv//shop", "/srv/my shop"})
    void aRootIsAnAbsoluteDirectoryOtherThanTheFilesystemRoot(String root) {
      String phrase = "must be an absolute directory on the host other than /, like /srv/shop";
      assertOnlyError(errors(MINIMAL_DEPLOY, Map.of("defaults.root", root)), "defaults.root", phrase);
      assertOnlyError(errors(MINIMAL_DEPLOY, Map.of("hosts.1.root", root)), "hosts[1].root", phrase);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://{address}", "{address}:8080", "http://", "http://{address}/?v=1", "http://{address}/#top"})
    void aUrlIsAnHttpUrlWithAHost(String url) {
      String phrase = "must be an http:// or https:// URL with a host and no ?query or #fragment, like http://{address}:8080";
      assertOnlyError(errors(MINIMAL_DEPLOY, Map.of("defaults.url", url)), "defaults.url", phrase);
      assertOnlyError(errors(MINIMAL_DEPLOY, Map.of("hosts.2.url", url)), "hosts[2].url", phrase);
    }

    @Test
    void aUrlFillsInOnlyTheAddressAndTheName() {
      assertOnlyError(
          errors(MINIMAL_DEPLOY, Map.of("defaults.url", "http://{address}:{port}")),
          "defaults.url",
          "only {address} and {name} are filled in for each host (got \"http://{address}:{port}\")");
    }

    @Test
    void theBatchSizeIsAtLeastOne() {
      assertOnlyError(
          errors(MINIMAL_DEPLOY, Map.of("rollout.batchSize", "0")), "rollout.batchSize", "expected an integer >= 1, got 0");
    }

    @Test
    void aFailureBudgetAsLargeAsTheHostsCouldNeverStopTheRollout() {
      assertOnlyError(
          errors(MINIMAL_DEPLOY, Map.of("rollout.maxFailures", "4")),
          "rollout.maxFailures",
          "4 lets all 4 hosts fail, so the rollout would never stop for a failed host; use at most 3 (0 stops at the"
              + " first failure)");
      assertOnlyError(
          errors(MINIMAL_DEPLOY, Map.of("rollout.maxFailures", "100%")),
          "rollout.maxFailures",
          "100% of 4 hosts lets all 4 fail, so the rollout would never stop for a failed host; use at most 3 (0 stops"
              + " at the first failure), or a percentage under 100%");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "150%", "some", "2.5", "25 %x"})
    void maxFailuresIsACountOrAPercentage(String maxFailures) {
      assertOnlyError(
          errors(MINIMAL_DEPLOY, Map.of("rollout.maxFailures", maxFailures)),
          "rollout.maxFailures",
          "expected an integer >= 0 or a percentage of the hosts from 0% to 100%, like 25%, got ");
    }

    @Test
    void aGoBeforeEachBatchNeedsAnApprover() {
      assertOnlyError(
          errors(MINIMAL_DEPLOY, Map.of("rollout.approveEachBatch", "true")),
          "rollout.approveEachBatch",
          "a GO before each batch needs at least one approver to send it, e.g. approvers: [alice]");
    }

    @Test
    void aProductionDeployWaitsForAGo() {
      assertOnlyError(
          errors(MINIMAL_DEPLOY, Map.of("environment", "production", "approvers", "alice")),
          "approval.required",
          "a deploy to production always waits for an approval: set approval.required: true and list at least one"
              + " approver");
      List<FieldError> errors = errors(MINIMAL_DEPLOY, Map.of("environment", "prod-eu"));
      assertThat(errors).extracting(FieldError::path).containsExactly("approval.required", "approvers");
      assertThat(errors.get(1).message()).isEqualTo("a deploy to production needs at least one approver, e.g. approvers: [alice]");
    }

    @Test
    void migrationsHaveADryRunAndAnApplyOrNeither() {
      assertOnlyError(
          errors(MINIMAL_DEPLOY, Map.of("hooks.migrate.apply", "bin/migrate")),
          "hooks.migrate.dryRun",
          "required with apply: a migration is tried first by its dry run, e.g. dryRun: \"bin/migrate --dry-run\"");
      assertOnlyError(
          errors(MINIMAL_DEPLOY, Map.of("hooks.migrate.dryRun", "bin/migrate --dry-run")),
          "hooks.migrate.apply",
          "required with dryRun");
    }

    @Test
    void hooksAreCommandsWithAPositiveTimeout() {
      assertOnlyError(errors(MINIMAL_DEPLOY, Map.of("hooks.install", "true")), "hooks.install", "expected a string, got true");
      assertOnlyError(errors(MINIMAL_DEPLOY, Map.of("hooks.timeout", "0s")), "hooks.timeout", "must be longer than zero");
      assertOnlyError(errors(MINIMAL_DEPLOY, Map.of("hooks.restat", "x")), "hooks.restat", "unknown field (did you mean \"restart\"?)");
    }

    @Test
    void atLeastTwoReleasesAreKept() {
      assertOnlyError(errors(MINIMAL_DEPLOY, Map.of("keepReleases", "1")), "keepReleases", "expected an integer >= 2, got 1");
    }

    @Test
    void theHealthCheckCannotBeSkipped() {
      assertOnlyError(
          errors(MINIMAL_DEPLOY, Map.of("smoke.health", "")),
          "smoke.health",
          "the health check cannot be skipped: give the path that answers 200 when the application is up, like /health");
    }

    @ParameterizedTest
    @ValueSource(strings = {"api/db", "//evil.test/db", "/api/db#x", "/api db"})
    void smokePathsStartWithOneSlash(String path) {
      assertOnlyError(
          errors(MINIMAL_DEPLOY, Map.of("smoke.database", path)),
          "smoke.database",
          "must be a path on the application starting with a single /, like /api/version, without spaces or #, or \"\" to"
              + " skip the check");
    }

    @Test
    void expectedTextNeedsTheFrontPageCheck() {
      assertOnlyError(
          errors(MINIMAL_DEPLOY, Map.of("smoke.frontPage", "", "smoke.expectText", "v2")),
          "smoke.expectText",
          "is looked for on the front page, whose check is skipped: set smoke.frontPage, like /");
    }

    @Test
    void smokeLimitsAreBounded() {
      assertOnlyError(
          errors(MINIMAL_DEPLOY, Map.of("smoke.latencySamples", "0")),
          "smoke.latencySamples",
          "expected an integer between 1 and 100, got 0");
      assertOnlyError(
          errors(MINIMAL_DEPLOY, Map.of("smoke.latencyLimit", "3")),
          "smoke.latencyLimit",
          "expected a duration like 30s, 15m, 1h, 2d or PT1H, got 3");
    }

    @Test
    void aDeployHasNoRestoreFields() {
      assertOnlyError(errors(MINIMAL_DEPLOY + "storage: { bucket: x }\n"), "storage", "unknown field");
    }
  }

  /** Five hosts in groups: canary and eu-west, one host in none. */
  static final String GROUPED_DEPLOY =
      MINIMAL_DEPLOY.replaceAll("(?s)hosts:.*?10\\.0\\.0\\.14 }\n", """
          hosts:
            - { name: web1, address: 10.0.0.11, groups: [canary, eu-west] }
            - { name: web2, address: 10.0.0.12, groups: [eu-west] }
            - { name: web3, address: 10.0.0.13, groups: canary }
            - { name: web4, address: 10.0.0.14 }
            - { name: web5, address: 10.0.0.15, groups: [eu-west] }
          """);

  private static List<String> names(List<HostTarget> hosts) {
    return hosts.stream().map(HostTarget::name).toList();
  }

  @Nested
  class HostGroups {

    @Test
    void eachHostCarriesItsGroupsInTheOrderListed() {
      DeploySpec spec = deploy(GROUPED_DEPLOY, Map.of());

      assertThat(spec.hosts())
          .extracting(HostTarget::groups)
          .containsExactly(List.of("canary", "eu-west"), List.of("eu-west"), List.of("canary"), List.of(), List.of("eu-west"));
      assertThat(spec.only()).isEmpty();
    }

    @Test
    void onlySelectsHostsByGroupOrByNameKeepingTheInventoryOrder() {
      assertThat(names(deploy(GROUPED_DEPLOY + "only: [web4, canary]\n", Map.of()).hosts())).containsExactly("web1", "web3", "web4");
      assertThat(names(deploy(GROUPED_DEPLOY + "only: eu-west\n", Map.of()).hosts())).containsExactly("web1", "web2", "web5");
      assertThat(deploy(GROUPED_DEPLOY + "only: [web4, canary]\n", Map.of()).only()).containsExactly("web4", "canary");
    }

    @Test
    void onlyCanBeSetOnTheCommandLineAsANameOrACommaSeparatedList() {
      assertThat(names(deploy(GROUPED_DEPLOY, Map.of("only", "canary")).hosts())).containsExactly("web1", "web3");
      assertThat(names(deploy(GROUPED_DEPLOY, Map.of("only", "web5,canary")).hosts())).containsExactly("web1", "web3", "web5");
      assertThat(names(deploy(GROUPED_DEPLOY + "only: [web2]\n", Map.of("only", "web4")).hosts())).containsExactly("web4");
    }

    @Test
    void aNameThatIsNeitherAHostNorAGroupIsRefusedListingBoth() {
      assertOnlyError(
          errors(GROUPED_DEPLOY, Map.of("only", "canery")),
          "only[0]",
          "\"canery\" is neither a host nor a group; the groups are canary, eu-west and the hosts web1, web2, web3, web4, web5");
      assertOnlyError(
          errors(MINIMAL_DEPLOY + "only: canary\n"),
          "only",
          "\"canary\" is neither a host nor a group; the groups are none (no host has groups:) and the hosts web1, web2, web3,"
              + " web4");
    }

    @Test
    void anEmptySelectionIsRefused() {
      String phrase = "selects no host: name at least one host or group, or leave only out to deploy to every host";
      assertOnlyError(errors(GROUPED_DEPLOY + "only: []\n"), "only", phrase);
      assertOnlyError(errors(GROUPED_DEPLOY, Map.of("only", "")), "only", phrase);
      assertOnlyError(errors(GROUPED_DEPLOY + "only: 3\n"), "only", "expected a host or group name, or a list of them, like [canary, web3], got 3");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Canary", "eu_west", "-canary", "a b"})
    void groupNamesAreDnsLabels(String group) {
      assertOnlyError(
          errors(GROUPED_DEPLOY, Map.of("hosts.3.groups", group)),
          "hosts[3].groups",
          "must be lowercase letters, digits and '-' (not first or last), at most 63 characters, like canary or eu-west (got \""
              + group + "\")");
    }

    @Test
    void aGroupIsListedOnceOnAHostAndNamesNoHost() {
      assertOnlyError(
          errors(GROUPED_DEPLOY.replace("groups: [eu-west] }\n  - { name: web3", "groups: [eu-west, eu-west] }\n  - { name: web3")),
          "hosts[1].groups[1]",
          "\"eu-west\" is listed twice");
      assertOnlyError(
          errors(GROUPED_DEPLOY.replace("groups: [canary, eu-west]", "groups: [canary, web2]")),
          "hosts[0].groups[1]",
          "\"web2\" is the name of the host hosts[1]; give the group a name no host has, so that only: can tell them apart");
    }

    @ParameterizedTest
    @CsvSource({"50%, 1", "99%, 2", "2, 2"})
    void aPercentageOfMaxFailuresCountsTheSelectedHosts(String maxFailures, int count) {
      DeploySpec spec = deploy(GROUPED_DEPLOY, Map.of("only", "eu-west", "rollout.maxFailures", maxFailures));

      assertThat(spec.rollout().maxFailures()).isEqualTo(count);
    }

    @Test
    void aFailureBudgetAsLargeAsTheSelectionIsRefused() {
      assertOnlyError(
          errors(GROUPED_DEPLOY, Map.of("only", "canary", "rollout.maxFailures", "2")),
          "rollout.maxFailures",
          "2 lets all 2 hosts selected by only fail, so the rollout would never stop for a failed host; use at most 1");
    }

    @Test
    void batchesFollowTheHostsUnlessTheyAreToKeepTheirGroupsApart() {
      DeploySpec mixed = deploy(GROUPED_DEPLOY, Map.of("rollout.batchSize", "2"));
      DeploySpec byGroup = deploy(GROUPED_DEPLOY, Map.of("rollout.batchSize", "2", "rollout.batchByGroup", "true"));

      assertThat(mixed.rollout().batchByGroup()).isFalse();
      assertThat(mixed.batches().stream().map(DeployRunbookFilesTest::names))
          .containsExactly(List.of("web1", "web2"), List.of("web3", "web4"), List.of("web5"));
      assertThat(byGroup.rollout().batchByGroup()).isTrue();
      assertThat(byGroup.batches().stream().map(DeployRunbookFilesTest::names))
          .as("by first group, groups in order of first appearance, the host without groups on its own")
          .containsExactly(List.of("web1", "web3"), List.of("web2", "web5"), List.of("web4"));
    }

    @Test
    void batchesByGroupAreCutToTheBatchSize() {
      DeploySpec spec =
          deploy(GROUPED_DEPLOY, Map.of("rollout.batchByGroup", "true", "rollout.batchSize", "2", "hosts.3.groups", "eu-west"));

      assertThat(spec.batches().stream().map(DeployRunbookFilesTest::names))
          .containsExactly(List.of("web1", "web3"), List.of("web2", "web4"), List.of("web5"));
    }

    @Test
    void batchesOfTheSelectedHostsOnly() {
      DeploySpec spec = deploy(GROUPED_DEPLOY, Map.of("rollout.batchByGroup", "true", "rollout.batchSize", "3", "only", "eu-west,web4"));

      assertThat(spec.batches().stream().map(DeployRunbookFilesTest::names))
          .as("web1 is in canary first, so it stays apart from the rest of eu-west")
          .containsExactly(List.of("web1"), List.of("web2", "web5"), List.of("web4"));
    }

    @Test
    void batchByGroupIsABoolean() {
      assertOnlyError(
          errors(GROUPED_DEPLOY, Map.of("rollout.batchByGroup", "yes please")),
          "rollout.batchByGroup",
          "expected true or false, got \"yes please\"");
    }
  }

  @Nested
  class Artifacts {

    private static final String DIGEST = "3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b";

    @Test
    void aDownloadIsAnHttpUrlWithItsSha256() {
      String yaml =
          MINIMAL_DEPLOY.replace(
              "artifact: /srv/builds/shop-v2.3.1.tar.gz",
              "artifact: { url: \"https://builds.example/shop-2.3.1.tar.gz?token=x\", sha256: " + DIGEST.toUpperCase() + " }");

      assertThat(deploy(yaml, Map.of()).artifact())
          .as("the digest is kept as sha256sum prints it")
          .isEqualTo(new Artifact.Download("https://builds.example/shop-2.3.1.tar.gz?token=x", DIGEST));
    }

    @Test
    void aGitCheckoutIsARepositoryAndARef() {
      String yaml =
          MINIMAL_DEPLOY.replace(
              "artifact: /srv/builds/shop-v2.3.1.tar.gz", "artifact:\n  git: git@git.example:shop/web.git\n  ref: release/2.3");

      assertThat(deploy(yaml, Map.of()).artifact()).isEqualTo(new Artifact.GitRef("git@git.example:shop/web.git", "release/2.3"));
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "https://git.example/shop.git", "ssh://deploy@git.example:2222/shop.git", "git://git.example/shop", "file:///srv/git/shop.git",
          "/srv/git/shop.git"
        })
    void aRepositoryIsAUrlOrAnAbsolutePath(String repository) {
      assertThat(artifact("{ git: \"" + repository + "\", ref: v2.3.1 }")).isEqualTo(new Artifact.GitRef(repository, "v2.3.1"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"v2.3.1", "main", "release/2.3", "3f2a9c1e5b7d4f6a8c0e2b4d6f8a0c2e4b6d8f0a", "v2+build.7"})
    void refsAreTagsBranchesOrCommits(String ref) {
      assertThat(artifact("{ git: /srv/git/shop, ref: \"" + ref + "\" }")).isEqualTo(new Artifact.GitRef("/srv/git/shop", ref));
    }

    @Test
    void thePathFormCanReplaceAnotherOnTheCommandLine() {
      String yaml = MINIMAL_DEPLOY.replace("artifact: /srv/builds/shop-v2.3.1.tar.gz", "artifact: { git: /srv/git/shop, ref: v2 }");

      assertThat(deploy(yaml, Map.of("artifact", "/srv/builds/hotfix.tgz")).artifact())
          .isEqualTo(new Artifact.WorkerFile("/srv/builds/hotfix.tgz"));
    }

    private static String withArtifact(String artifact) {
      return MINIMAL_DEPLOY.replace("artifact: /srv/builds/shop-v2.3.1.tar.gz", "artifact: " + artifact);
    }

    private static Artifact artifact(String artifact) {
      return deploy(withArtifact(artifact), Map.of()).artifact();
    }

    private static List<FieldError> artifactErrors(String artifact) {
      return errors(withArtifact(artifact));
    }

    @Test
    void aDownloadNeedsItsSha256() {
      assertOnlyError(
          artifactErrors("{ url: \"https://builds.example/shop.tar.gz\" }"),
          "artifact.sha256",
          "required with url: the archive's SHA-256 as sha256sum prints it, 64 hex digits; each host checks it before unpacking");
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc123", "3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1", "sha256:3a7b"})
    void aSha256Is64HexDigits(String digest) {
      assertOnlyError(
          artifactErrors("{ url: \"https://builds.example/shop.tar.gz\", sha256: \"" + digest + "\" }"),
          "artifact.sha256",
          "must be 64 hex digits, the archive's SHA-256 as sha256sum prints it (got \"" + digest + "\")");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://builds.example/shop.tar.gz", "file:///srv/builds/shop.tar.gz", "builds.example/shop.tar.gz",
        "https://builds.example/shop.tar.gz#x", "https:///shop.tar.gz"})
    void aDownloadIsHttpOrHttpsOnly(String url) {
      assertOnlyError(
          artifactErrors("{ url: \"" + url + "\", sha256: " + DIGEST + " }"),
          "artifact.url",
          "must be an http:// or https:// URL with a host and no #fragment, like https://builds.example/shop-2.3.1.tar.gz (got \""
              + url + "\")");
    }

    @Test
    void aCheckoutNeedsItsRef() {
      assertOnlyError(
          artifactErrors("{ git: https://git.example/shop.git }"),
          "artifact.ref",
          "required with git: the tag, branch or full commit to deploy, like v2.3.1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-x", "v1..2", "main.lock", "release/", "/main", "a b", "v1;rm", "HEAD@{1}", "feature//x"})
    void aRefIsAGitRefName(String ref) {
      assertOnlyError(
          artifactErrors("{ git: https://git.example/shop.git, ref: \"" + ref + "\" }"),
          "artifact.ref",
          "must be a tag, branch or full commit: letters, digits, '.', '_', '/', '+' or '-', starting with a letter, digit or '_',"
              + " without '..' or '//', not ending in '/', '.' or '.lock' (got \"" + ref + "\")");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-oProxyCommand=x", "ext::sh -c touch% /tmp/x", "srv/git/shop", "file://srv/git", "ftp://git.example/x",
        "https://git.example/shop.git#main"})
    void aRepositoryIsNothingGitWouldReadAsAnOptionOrACommand(String repository) {
      assertOnlyError(
          artifactErrors("{ git: \"" + repository + "\", ref: v2 }"),
          "artifact.git",
          "must be a repository URL (https://, ssh://, git:// or file://), user@host:path, or an absolute path on the host,"
              + " like https://git.example/shop.git (got \"" + repository + "\")");
    }

    @Test
    void eachFormHasItsOwnFields() {
      assertOnlyError(
          artifactErrors("{ url: \"https://builds.example/shop.tar.gz\", sha256: " + DIGEST + ", git: /srv/git/shop }"),
          "artifact.git",
          "give either url (with sha256) to download an archive, or git (with ref) to check out a commit, not both");
      assertOnlyError(
          artifactErrors("{ git: /srv/git/shop, ref: v2, sha256: " + DIGEST + " }"),
          "artifact.sha256",
          "goes with url: a checkout is pinned by its ref; give a full commit as ref to pin it exactly");
      assertOnlyError(
          artifactErrors("{ url: \"https://builds.example/shop.tar.gz\", sha256: " + DIGEST + ", ref: v2 }"),
          "artifact.ref",
          "goes with git: a download is pinned by its sha256");
      assertOnlyError(
          artifactErrors("{ url: \"https://builds.example/shop.tar.gz\", sha265: " + DIGEST + " }"),
          "artifact.sha265",
          "unknown field (did you mean \"sha256\"?)");
    }

    @Test
    void aMappingNamesADownloadOrACheckout() {
      assertOnlyError(
          artifactErrors("{ path: /srv/builds/shop.tar.gz }"), "artifact.path", "unknown field (expected one of url, sha256, git, ref)");
      assertOnlyError(
          artifactErrors("{}"),
          "artifact",
          "a mapping names where each host gets the release: { url: https://builds.example/shop-2.3.1.tar.gz, sha256: <64 hex"
              + " digits> } or { git: https://git.example/shop.git, ref: v2.3.1 }; or give the path of a .tar.gz on the worker");
      assertOnlyError(
          artifactErrors("[/srv/builds/shop.tar.gz]"),
          "artifact",
          "expected the path of a .tar.gz on the worker, or a mapping { url: ..., sha256: ... } or { git: ..., ref: ... }, got a"
              + " list");
    }
  }
}
