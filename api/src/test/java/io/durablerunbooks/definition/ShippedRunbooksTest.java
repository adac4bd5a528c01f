package io.durablerunbooks.definition;

import static org.assertj.core.api.Assertions.assertThat;

import io.durablerunbooks.backup.BackupSpec;
import io.durablerunbooks.cutover.CutoverSpec;
import io.durablerunbooks.cutover.RollbackCutoverSpec;
import io.durablerunbooks.deploy.Artifact;
import io.durablerunbooks.deploy.DeploySpec;
import io.durablerunbooks.deploy.HostTarget;
import io.durablerunbooks.migrate.MigrateSpec;
import io.durablerunbooks.rollback.RollbackSpec;
import io.durablerunbooks.rollout.RolloutSpec;
import io.durablerunbooks.ssh.SshHost;
import java.time.Duration;
import io.durablerunbooks.restore.RestoreSpec;
import io.durablerunbooks.restoretest.RestoreTestSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every file in the project's runbooks/ directory loads: users copy them, the README runs them. */
class ShippedRunbooksTest {

  /** Maven runs the tests of a module from the module's directory. */
  private static final Path RUNBOOKS = Path.of("..", "runbooks");

  static List<Path> runbookFiles() throws IOException {
    try (Stream<Path> files = Files.walk(RUNBOOKS)) {
      return files
          .filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
          .sorted()
          .toList();
    }
  }

  @Test
  void theShippedRunbooksAreAllThere() throws IOException {
    assertThat(runbookFiles())
        .extracting(f -> RUNBOOKS.relativize(f).toString())
        .contains(
            "local-backup.yaml",
            "local-restore.yaml",
            "local-restore-test.yaml",
            "local-deploy.yaml",
            "local-rollback.yaml",
            "local-rollout.yaml",
            "local-migrate.yaml",
            "examples/shop-mysql-to-postgres.yaml",
            "examples/orders-db-nightly.yaml",
            "examples/orders-restore-production.yaml");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("runbookFiles")
  void everyShippedRunbookLoads(Path file) {
    RunbookDefinition definition = RunbookFiles.load(file, Map.of());

    assertThat(definition).isInstanceOfAny(BackupSpec.class, RestoreSpec.class, RestoreTestSpec.class, DeploySpec.class,
        RollbackSpec.class, RolloutSpec.class, MigrateSpec.class, CutoverSpec.class, RollbackCutoverSpec.class);
  }

  @Test
  void theLocalRollbackCutoverUndoesTheLocalCutoverAsItWasWritten() {
    CutoverSpec cutover = (CutoverSpec) RunbookFiles.load(RUNBOOKS.resolve("local-cutover.yaml"), Map.of());
    RollbackCutoverSpec back = (RollbackCutoverSpec) RunbookFiles.load(RUNBOOKS.resolve("local-rollback-cutover.yaml"), Map.of());
    MigrateSpec copy = (MigrateSpec) RunbookFiles.load(RUNBOOKS.resolve("local-cutover-copy.yaml"), Map.of());

    assertThat(back.cutover().header().workflowId()).isEqualTo(cutover.header().workflowId());
    assertThat(back.cutover().application()).isEqualTo(cutover.application());
    assertThat(back.cutover().data().source()).isEqualTo(cutover.data().source()).isEqualTo(copy.source());
    assertThat(back.cutover().data().target()).isEqualTo(cutover.data().target()).isEqualTo(copy.target());
  }

  @Test
  void theLocalRunbooksPointAtTheLocalStackAndEachOther() {
    BackupSpec backup = (BackupSpec) RunbookFiles.load(RUNBOOKS.resolve("local-backup.yaml"), Map.of());
    RestoreSpec restore = (RestoreSpec) RunbookFiles.load(RUNBOOKS.resolve("local-restore.yaml"), Map.of());
    RestoreTestSpec test =
        (RestoreTestSpec) RunbookFiles.load(RUNBOOKS.resolve("local-restore-test.yaml"), Map.of());

    assertThat(backup.database().url()).isEqualTo("jdbc:postgresql://127.0.0.1:15432/sample");
    assertThat(backup.database().password().reference())
        .isEqualTo("${file:/var/tmp/durable-runbooks/pg-password}");
    assertThat(backup.storage().endpoint()).isEqualTo("http://127.0.0.1:18080");
    assertThat(backup.storage().accessKeyId().reference())
        .isEqualTo("${file:/var/tmp/durable-runbooks/s3-access-key}");
    assertThat(backup.storage().secretAccessKey().reference())
        .isEqualTo("${file:/var/tmp/durable-runbooks/s3-secret-key}");
    assertThat(restore.backupsPrefix()).isEqualTo(backup.backupsPrefix());
    assertThat(restore.storage()).isEqualTo(backup.storage());
    assertThat(restore.target().database()).isEqualTo("sample_restored");
    assertThat(test.backup().database()).isEqualTo(backup.database());
    assertThat(test.restore().target().database()).isEqualTo("sample_restored");
    assertThat(test.header().approval().required()).isFalse();
  }

  @Test
  void theLocalDeployGoesToTheLocalHostsOfScriptsHostsSh() {
    DeploySpec deploy = (DeploySpec) RunbookFiles.load(RUNBOOKS.resolve("local-deploy.yaml"), Map.of());

    assertThat(deploy.hosts()).extracting(HostTarget::name).containsExactly("web1", "web2", "web3", "web4");
    assertThat(deploy.hosts()).extracting(h -> h.host().knownHostsName())
        .containsExactly("[127.0.0.1]:12201", "[127.0.0.1]:12202", "[127.0.0.1]:12203", "[127.0.0.1]:12204");
    assertThat(deploy.hosts()).extracting(HostTarget::root)
        .containsExactly(
            "/var/tmp/durable-runbooks/hosts/web1/app",
            "/var/tmp/durable-runbooks/hosts/web2/app",
            "/var/tmp/durable-runbooks/hosts/web3/app",
            "/var/tmp/durable-runbooks/hosts/web4/app");
    assertThat(deploy.hosts()).extracting(HostTarget::appUrl)
        .containsExactly("http://127.0.0.1:18101", "http://127.0.0.1:18102", "http://127.0.0.1:18103", "http://127.0.0.1:18104");
    assertThat(deploy.hosts().get(0).access().knownHosts()).isEqualTo("/var/tmp/durable-runbooks/ssh/known_hosts");
    assertThat(deploy.artifact()).isEqualTo(new Artifact.WorkerFile("/var/tmp/durable-runbooks/artifacts/demo-app-v2.tar.gz"));
  }

  @Test
  void theLocalRolloutShiftsTheTrafficOfTheLocalNginxOfScriptsNginxSh() {
    RolloutSpec rollout = (RolloutSpec) RunbookFiles.load(RUNBOOKS.resolve("local-rollout.yaml"), Map.of());

    assertThat(rollout.nginx().host()).isEqualTo(new SshHost("lb1", "127.0.0.1", 12210, "root"));
    assertThat(rollout.nginx().access().privateKey().reference()).isEqualTo("${file:/var/tmp/durable-runbooks/ssh/id_ed25519}");
    assertThat(rollout.nginx().access().knownHosts()).isEqualTo("/var/tmp/durable-runbooks/ssh/known_hosts");
    assertThat(rollout.nginx().splitFile()).isEqualTo("/var/tmp/durable-runbooks/rollout/nginx/conf.d/rollout-split.conf");
    assertThat(rollout.nginx().variable()).isEqualTo("rollout_backend");
    assertThat(rollout.nginx().v1Upstream()).isEqualTo("rollout_v1");
    assertThat(rollout.nginx().v2Upstream()).isEqualTo("rollout_v2");
    assertThat(rollout.nginx().testCommand()).isEqualTo("/var/tmp/durable-runbooks/rollout/nginx/bin/nginx-ctl test");
    assertThat(rollout.nginx().reloadCommand()).isEqualTo("/var/tmp/durable-runbooks/rollout/nginx/bin/nginx-ctl reload");
    assertThat(rollout.probe().url()).isEqualTo("http://127.0.0.1:18300/api/version");
    assertThat(rollout.probe().header()).isEqualTo("X-Rollout-Backend");
    assertThat(rollout.probe().ratePerSecond()).isEqualTo(20);
    assertThat(rollout.probe().window()).isEqualTo(Duration.ofSeconds(5));
    assertThat(rollout.bake()).isEqualTo(Duration.ofSeconds(20));
    assertThat(rollout.guard().sustain()).isEqualTo(Duration.ofSeconds(10));
    assertThat(rollout.header().production()).isFalse();
  }

  @Test
  void theProductionRestoreExampleIsUnlockedAndGuarded() {
    RestoreSpec restore =
        (RestoreSpec)
            RunbookFiles.load(RUNBOOKS.resolve("examples/orders-restore-production.yaml"), Map.of());

    assertThat(restore.header().production()).isTrue();
    assertThat(restore.unlockProduction()).isTrue();
    assertThat(restore.header().approval().required()).isTrue();
    assertThat(restore.header().approval().approvers()).isNotEmpty();
  }

  @Test
  void theNightlyExampleIsAProductionBackupToStandardIa() {
    BackupSpec backup =
        (BackupSpec) RunbookFiles.load(RUNBOOKS.resolve("examples/orders-db-nightly.yaml"), Map.of());

    assertThat(backup.header().production()).isTrue();
    assertThat(backup.storage().storageClass()).isEqualTo("STANDARD_IA");
    assertThat(backup.header().webhook()).isEqualTo("${env:SLACK_WEBHOOK}");
  }
}
