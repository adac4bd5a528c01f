package io.durablerunbooks.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Runbook files for the local stack, written per test so names and prefixes never collide. */
final class RunbookYaml {

  private RunbookYaml() {}

  static String storage(String prefix) {
    return """
        storage:
          endpoint: %s
          region: us-east-1
          bucket: %s
          prefix: %s
          accessKeyId: "${file:%s}"
          secretAccessKey: "${file:%s}"
          storageClass: STANDARD
          pathStyle: true
        """
        .formatted(Stack.S3_ENDPOINT, Stack.BUCKET, prefix, Stack.secretFile("s3-access-key"), Stack.secretFile("s3-secret-key"));
  }

  static String connection(String section, String database, String passwordRef) {
    return """
        %s:
          url: %s
          user: postgres
          password: "%s"
        """
        .formatted(section, Stack.jdbcUrl(database), passwordRef);
  }

  static String pgPassword() {
    return "${file:" + Stack.secretFile("pg-password") + "}";
  }

  static Path backup(Path dir, String name, String database, String prefix) {
    return write(
        dir,
        name,
        """
        kind: backup
        name: %s
        environment: e2e
        %s%s
        backup:
          compression: zstd
          level: 1
          verify: read-back
          partSize: 8MiB
        retention:
          daily: 7
          weekly: 4
        """
            .formatted(name, connection("database", database, pgPassword()), storage(prefix)));
  }

  static Path restore(Path dir, String name, String backupRunbook, String prefix, String target, List<String> approvers) {
    return write(
        dir,
        name,
        """
        kind: restore
        name: %s
        environment: e2e
        approvers: [%s]
        approval:
          required: %s
          timeout: 10m
        %s
        source:
          runbook: %s
          backup: latest
        %s  unlockProduction: false
          keepPrevious: true
        smoke:
          minTables: 3
          queries:
            - name: customers present
              sql: select count(*) > 0 from customers
              expect: "t"
        """
            .formatted(
                name,
                String.join(", ", approvers),
                !approvers.isEmpty(),
                storage(prefix),
                backupRunbook,
                connection("target", target, pgPassword())));
  }

  /**
   * A deploy of the demo application to some of the local SSH hosts ({@link DemoHosts}); the
   * install hook may add per-host behaviour for a test.
   */
  static Path deploy(Path dir, String name, String release, Path artifact, String install, String rollout, List<Integer> on) {
    return RunbookYaml.write(
        dir,
        name,
        """
        kind: deploy
        name: %s
        environment: e2e
        release: %s
        artifact: %s
        ssh:
          user: root
          privateKey: "${file:%s}"
          knownHosts: %s
        hosts:
        %s
        rollout: %s
        hooks:
          install: '%s'
          migrate: { dryRun: "bin/migrate --dry-run", apply: "bin/migrate" }
          restart: '"$DEPLOY_ROOT/../bin/service" reload'
          timeout: 2m
        keepReleases: 3
        smoke: { health: /health, frontPage: /, database: /api/db, staticAsset: /static/app.css, databaseRead: /api/items, latency: /api/version, expectText: %s }
        """
            .formatted(
                name, release, artifact, DemoHosts.SSH.resolve("id_ed25519"), DemoHosts.SSH.resolve("known_hosts"),
                hosts(on), rollout, install, release));
  }

  /** A rollback of some of the local SSH hosts to the newest good release, confirmed by alice. */
  static Path rollback(Path dir, String name, String reason, List<Integer> on) {
    return RunbookYaml.write(
        dir,
        name,
        """
        kind: rollback
        name: %s
        environment: e2e
        approvers: [alice]
        reason: "%s"
        ssh:
          user: root
          privateKey: "${file:%s}"
          knownHosts: %s
        hosts:
        %s
        hooks:
          restart: '"$DEPLOY_ROOT/../bin/service" reload'
          timeout: 2m
        smoke: { health: /health, frontPage: /, database: /api/db, staticAsset: /static/app.css, databaseRead: /api/items, latency: /api/version }
        """
            .formatted(name, reason, DemoHosts.SSH.resolve("id_ed25519"), DemoHosts.SSH.resolve("known_hosts"), hosts(on)));
  }

  private static String hosts(List<Integer> on) {
    StringBuilder hosts = new StringBuilder();
    for (int k : on) {
      hosts.append("  - { name: ").append(DemoHosts.name(k)).append(", address: 127.0.0.1, port: ").append(DemoHosts.sshPort(k))
          .append(", root: ").append(DemoHosts.root(k)).append(", url: \"").append(DemoHosts.appUrl(k)).append("\" }\n");
    }
    return hosts.toString().stripTrailing();
  }

  /**
   * A traffic shift on the local nginx (scripts/nginx.sh): quick steps for tests, a 2 s probe
   * window, guards sustained 4 s; latency limits loose enough for a loaded 2-core machine.
   *
   * @param extra more fields, e.g. {@code "promote: manual"}, or empty
   */
  static Path rollout(Path dir, String name, String steps, String probeUrl, String extra) {
    return rollout(dir, name, steps, probeUrl, extra, "2s", "4s");
  }

  /**
   * The same with the probe window and the bake given. The probe sends 50 requests a second: at a
   * 10 % split a 2 s window holds about 10 for V2; at 25 a second it held none by chance about once
   * in 200 windows, which the guard rightly reads as missing data and rolls back.
   */
  static Path rollout(Path dir, String name, String steps, String probeUrl, String extra, String window, String bake) {
    return RunbookYaml.write(
        dir,
        name,
        """
        kind: rollout
        name: %s
        environment: e2e
        approvers: [alice]
        nginx:
          host: { name: lb1, address: 127.0.0.1, port: %d }
          splitFile: %s
          variable: rollout_backend
          v1: rollout_v1
          v2: rollout_v2
          test: "%s test"
          reload: "%s reload"
        ssh:
          user: root
          privateKey: "${file:%s}"
          knownHosts: %s
        steps: %s
        bake: %s
        probe: { url: "%s", header: X-Rollout-Backend, rate: 50, window: %s, timeout: 2s }
        gates: { p95: 400ms, errorRate: 1%%, availability: 99%% }
        guards: { p95: 500ms, errorRate: 5%%, availability: 99%%, sustain: 4s }
        split: { tolerance: 10, samples: 400 }
        %s
        """
            .formatted(name, RolloutStack.LB_SSH_PORT, RolloutStack.SPLIT_FILE, RolloutStack.CTL, RolloutStack.CTL,
                DemoHosts.SSH.resolve("id_ed25519"), DemoHosts.SSH.resolve("known_hosts"), steps, bake, probeUrl, window, extra));
  }

  /** A migrate-data runbook from a MariaDB database of the stack into a PostgreSQL one. */
  static Path migrate(Path dir, String name, String source, String target, int chunkRows) {
    return write(
        dir,
        name,
        """
        kind: migrate-data
        name: %s
        environment: e2e
        source:
          url: %s
          user: root
          password: "${file:%s}"
        %s
        copy:
          parallelism: 2
          chunkRows: %d
        """
            .formatted(name, Stack.mariadbUrl(source), Stack.secretFile("mariadb-password"),
                connection("target", target, pgPassword()), chunkRows));
  }

  static Path write(Path dir, String name, String yaml) {
    try {
      Path file = dir.resolve(name + ".yaml");
      Files.writeString(file, yaml);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
