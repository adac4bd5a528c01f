package io.durablerunbooks.definition;

import static io.durablerunbooks.definition.RunbookFilesTest.assertHasError;
import static io.durablerunbooks.definition.RunbookFilesTest.assertOnlyError;
import static io.durablerunbooks.definition.RunbookFilesTest.errors;
import static io.durablerunbooks.definition.RunbookFilesTest.parse;
import static org.assertj.core.api.Assertions.assertThat;

import io.durablerunbooks.cutover.CutoverSpec;
import io.durablerunbooks.cutover.Engine;
import io.durablerunbooks.cutover.RollbackCutoverSpec;
import io.durablerunbooks.runbook.RunbookKind;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CutoverRunbookFilesTest {

  static final String CUTOVER =
      """
      kind: cutover
      name: shop-cutover
      environment: staging
      approvers: [alice, bob]
      source:
        url: jdbc:mariadb://db1.internal:3306/shop?sslMode=disable
        user: cutover
        password: ${file:/run/secrets/mysql}
      target:
        url: jdbc:postgresql://pg1.internal:5432/shop
        user: cutover
        password: ${env:PGPASSWORD}
      backup:
        storage: { bucket: backups, prefix: postgres, region: eu-west-1, accessKeyId: "${env:AWS_ACCESS_KEY_ID}", secretAccessKey: "${env:AWS_SECRET_ACCESS_KEY}" }
      application:
        host: { name: app1, address: 10.0.0.5 }
        ssh: { user: deploy, privateKey: "${file:/run/secrets/deploy-key}", knownHosts: /etc/runbooks/known_hosts }
        envFile: /srv/shop/shared/app.env
        mysql: mysql://shop@db1.internal:3306/shop
        postgres: ${file:/run/secrets/shop-pg-url}
        reload: /srv/shop/bin/reload
        url: http://10.0.0.5:8080
        checks: { table: items, column: name }
      """;

  @Test
  void aMinimalFileGetsTheProceduresDefaults() {
    CutoverSpec spec = (CutoverSpec) parse(CUTOVER);

    assertThat(spec.header().approval().required()).as("a cutover is always gated").isTrue();
    assertThat(spec.data().sync().enabled()).isTrue();
    assertThat(spec.catchUp()).isEqualTo(new CutoverSpec.CatchUpOptions(1_000, 5));
    assertThat(spec.drainTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(spec.backup().header().name()).isEqualTo("shop-cutover-pre-cutover");
    assertThat(spec.backup().database()).isEqualTo(spec.data().target());
    assertThat(spec.requiredBackup().required()).isFalse();
    assertThat(spec.application().variable()).isEqualTo("DATABASE_URL");
    assertThat(spec.application().value(Engine.POSTGRES)).isEqualTo("${file:/run/secrets/shop-pg-url}");
    assertThat(spec.application().host().port()).isEqualTo(22);
    assertThat(spec.application().keptFile()).isEqualTo("/srv/shop/shared/app.env.before-cutover");
    assertThat(spec.application().checks().health()).isEqualTo("/health");
    assertThat(spec.watch().period()).isEqualTo(Duration.ofHours(24));
    assertThat(spec.watch().interval()).isEqualTo(Duration.ofMinutes(5));
    assertThat(spec.watch().minUptime()).isEqualTo(0.999);
    assertThat(spec.watch().mysqlRetention()).isEqualTo(Duration.ofDays(7));
  }

  @Test
  void everySectionIsRead() {
    CutoverSpec spec = (CutoverSpec) parse(CUTOVER + """
        sync: { watermarks: { items: updated_at }, margin: 2m }
        catchUp: { maxLagRows: 50, maxRounds: 8 }
        readOnly: { drainTimeout: 30s }
        statistics:
          - { name: revenue, sql: "SELECT sum(total) FROM orders" }
          - { name: newest, mysql: "SELECT max(created_at) FROM orders", postgres: "SELECT max(created_at) FROM orders" }
        checks:
          - { name: orders today, sql: "SELECT count(*) > 0 FROM orders", expect: "t" }
        watch: { period: 12h, interval: 1m, probeRequests: 50, maxErrorRate: 1%, minUptime: 99.5%, latencyFactor: 2,
                 slowQuery: 200ms, maxBloat: 10%, mysqlRetention: 14d }
        """);

    assertThat(spec.data().sync().watermarks()).containsOnly(Map.entry("items", "updated_at"));
    assertThat(spec.catchUp()).isEqualTo(new CutoverSpec.CatchUpOptions(50, 8));
    assertThat(spec.drainTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(spec.statistics()).hasSize(2);
    assertThat(spec.statistics().get(1).mysql()).isEqualTo("SELECT max(created_at) FROM orders");
    assertThat(spec.checks()).hasSize(1);
    assertThat(spec.watch().probeRequests()).isEqualTo(50);
    assertThat(spec.watch().maxErrorRate()).isEqualTo(0.01);
    assertThat(spec.watch().minUptime()).isEqualTo(0.995);
    assertThat(spec.watch().latencyFactor()).isEqualTo(2);
    assertThat(spec.watch().maxBloat()).isEqualTo(0.10);
    assertThat(spec.watch().mysqlRetention()).isEqualTo(Duration.ofDays(14));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '#',
      value = {
        "a password in the PostgreSQL value # postgres: ${file:/run/secrets/shop-pg-url} # postgres: postgresql://shop:hunter2@pg1/shop # application.postgres # holds a password",
        "the same value twice # postgres: ${file:/run/secrets/shop-pg-url} # postgres: mysql://shop@db1.internal:3306/shop # application.postgres # is the same as application.mysql",
        "a relative env file # envFile: /srv/shop/shared/app.env # envFile: shared/app.env # application.envFile # absolute path",
        "a URL that is not HTTP # url: http://10.0.0.5:8080 # url: ftp://10.0.0.5 # application.url # http:// or https://",
        "a write body without marker # checks: { table: items, column: name } # checks: { table: items, column: name, writeBody: '{}' } # application.checks.writeBody # {marker}",
        "a delete path without id # checks: { table: items, column: name } # checks: { table: items, column: name, delete: /api/items } # application.checks.delete # {id}",
        "no check table # checks: { table: items, column: name } # checks: { column: name } # application.checks.table # required",
      })
  void badApplicationFieldsAreNamed(String name, String from, String to, String path, String phrase) {
    assertOnlyError(errors(CUTOVER.replace(from, to)), path, phrase);
  }

  @Test
  void aLongDrainIsRefusedAsWritesWaitMeanwhile() {
    assertOnlyError(errors(CUTOVER + "readOnly: { drainTimeout: 10m }\n"), "readOnly.drainTimeout", "at most 5m");
  }

  @Test
  void aWatchIntervalLongerThanItsPeriodIsRefused() {
    assertOnlyError(errors(CUTOVER + "watch: { period: 1h, interval: 2h }\n"), "watch.interval", "at most watch.period");
  }

  @Test
  void aStatisticNeedsBothQueriesOrOne() {
    assertHasError(errors(CUTOVER + "statistics: [ { name: revenue } ]\n"), "statistics[0].sql", "required");
    assertHasError(errors(CUTOVER + "statistics: [ { name: revenue, sql: 'SELECT 1', mysql: 'SELECT 1', postgres: 'SELECT 1' } ]\n"),
        "statistics[0].sql", "not both");
  }

  @Test
  void aProductionCutoverNeedsAVerifiedBackupFirst() {
    assertOnlyError(errors(CUTOVER.replace("environment: staging", "environment: production")), "backup.require", "production cutover");
    CutoverSpec spec = (CutoverSpec) parse(CUTOVER.replace("environment: staging", "environment: production")
        .replace("  storage: {", "  require: { runbook: shop-nightly, maxAge: 12h }\n  storage: {"));
    assertThat(spec.requiredBackup().runbook()).isEqualTo("shop-nightly");
    assertThat(spec.requiredBackup().maxAge()).isEqualTo(Duration.ofHours(12));
  }

  @Test
  void aCutoverIsGatedEvenWithoutApprovers() {
    assertHasError(errors(CUTOVER.replace("approvers: [alice, bob]\n", "")), "approvers", "");
  }

  @Test
  void aRollbackCutoverNamesTheCutoverItUndoes() {
    String rollback = CUTOVER.replace("kind: cutover\nname: shop-cutover", "kind: rollback-cutover\nname: shop-back\ncutover: shop-cutover\ncopyBack: false");
    RollbackCutoverSpec spec = (RollbackCutoverSpec) parse(rollback);

    assertThat(spec.header().kind()).isEqualTo(RunbookKind.ROLLBACK_CUTOVER);
    assertThat(spec.cutover().header().workflowId()).isEqualTo("cutover/shop-cutover");
    assertThat(spec.copyBack()).isFalse();
    assertOnlyError(errors(rollback.replace("cutover: shop-cutover\n", "")), "cutover", "required");
  }

  @Test
  void theWatchAndRetentionKindsAreNotForFiles() {
    assertHasError(errors(CUTOVER.replace("kind: cutover", "kind: cutover-watch")), "kind", "");
  }
}
