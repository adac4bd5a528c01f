package io.durablerunbooks.cutover;

import io.durablerunbooks.backup.BackupRequest;
import io.durablerunbooks.backup.BackupWorkflow;
import io.durablerunbooks.migrate.ColumnFamily;
import io.durablerunbooks.migrate.ColumnPlan;
import io.durablerunbooks.migrate.MigrateSpec;
import io.durablerunbooks.migrate.MigrateSpec.CopyOptions;
import io.durablerunbooks.migrate.MigrateSpec.KeylessTables;
import io.durablerunbooks.migrate.MigrateSpec.SyncOptions;
import io.durablerunbooks.migrate.MigrateSpec.VerifyOptions;
import io.durablerunbooks.migrate.MySqlConnection;
import io.durablerunbooks.migrate.SchemaPlan;
import io.durablerunbooks.migrate.TablePlan;
import io.durablerunbooks.postgres.PostgresConnection;
import io.durablerunbooks.report.RunbookReport;
import io.durablerunbooks.restore.SmokeQuery;
import io.durablerunbooks.runbook.ApprovalPolicy;
import io.durablerunbooks.runbook.Fixtures;
import io.durablerunbooks.runbook.RunbookKind;
import io.durablerunbooks.runbook.RunbookWorkflowBase;
import io.durablerunbooks.secrets.SecretRef;
import io.durablerunbooks.ssh.SshAccess;
import io.durablerunbooks.ssh.SshHost;
import io.temporal.workflow.WorkflowInit;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A shop of two tables moving from MySQL to PostgreSQL, for the cutover's workflow tests. */
final class CutoverFixtures {

  static final ColumnPlan ID = new ColumnPlan("id", "bigint(20)", ColumnFamily.INTEGER, "bigint", false, "", false, true, 0, false, false);
  static final ColumnPlan NAME = new ColumnPlan("name", "varchar(120)", ColumnFamily.TEXT, "varchar(120)", false, "", false, false, 0, false, false);
  static final TablePlan ITEMS = new TablePlan("items", List.of(ID, NAME), List.of("id"), "id", 3000, 300_000,
      "CREATE TABLE \"public\".\"items\" (...)", List.of(), List.of(), List.of(), "id", 3001);
  static final TablePlan TAGS = new TablePlan("tags", List.of(ID, NAME), List.of("id"), "id", 100, 3_000,
      "CREATE TABLE \"public\".\"tags\" (...)", List.of(), List.of(), List.of(), "id", 101);
  static final SchemaPlan PLAN = new SchemaPlan("10.11.19-MariaDB", "15.18", "2026-12-01 10:00:00.000000", List.of(ITEMS, TAGS), List.of());
  static final WatchOptions WATCH =
      new WatchOptions(Duration.ofHours(24), Duration.ofMinutes(5), 20, 0.05, 0.999, 1.5, Duration.ofMillis(500), 0.05, Duration.ofDays(7));

  private CutoverFixtures() {}

  static CutoverSpec spec(ApprovalPolicy approval, BackupCheck required) {
    MigrateSpec data = new MigrateSpec(
        Fixtures.header(RunbookKind.CUTOVER, "shop-cutover", "production", approval),
        new MySqlConnection("jdbc:mariadb://mysql.internal:3306/shop", "cutover", SecretRef.of("${env:MYSQL_PASSWORD}")),
        new PostgresConnection("jdbc:postgresql://pg.internal:5432/shop", "cutover", SecretRef.of("${env:PGPASSWORD}")),
        "public", List.of(), List.of(), KeylessTables.REFUSE, Map.of(), Map.of(), List.of(), new CopyOptions(2, 100_000),
        new SyncOptions(true, Map.of("items", "updated_at"), Duration.ofMinutes(5)), new VerifyOptions(true, Duration.ofMillis(500), 100));
    ApplicationSpec app = new ApplicationSpec(
        new SshHost("app1", "10.0.0.5", 22, "deploy"), new SshAccess(SecretRef.of("${env:DEPLOY_KEY}"), "", "/etc/runbooks/known_hosts"),
        "/srv/shop/shared/app.env", "DATABASE_URL", "mysql://shop@mysql.internal:3306/shop", "${file:/run/secrets/shop-pg-url}",
        "/srv/shop/bin/reload", Duration.ofMinutes(2), "http://10.0.0.5:8080",
        new AppChecks("/health", "/api/items", "/api/items", "{\"name\": \"{marker}\"}", "id", "/api/items/{id}", "items", "name",
            Duration.ofSeconds(30), Duration.ofSeconds(10)));
    return new CutoverSpec(
        data.header(), data, new CutoverSpec.CatchUpOptions(100, 3), Duration.ofSeconds(10),
        Fixtures.backup(ApprovalPolicy.unattended()), required, app,
        List.of(new BusinessStat("revenue", "SELECT sum(total) FROM orders", "SELECT sum(total) FROM orders")),
        List.of(new SmokeQuery("orders today", "SELECT count(*) > 0 FROM orders", "t")), WATCH);
  }

  /** Stands in for the backup runbook the cutover starts as a child; its own tests cover it. */
  public static class FakeBackupWorkflow extends RunbookWorkflowBase implements BackupWorkflow {

    @WorkflowInit
    public FakeBackupWorkflow(BackupRequest request) {
      super(request.spec().header(), request.context());
    }

    @Override
    public RunbookReport run(BackupRequest request) {
      run.fact("backup.key", "postgres/" + request.spec().header().name() + "/backup-1.dump.zst");
      return run.succeed();
    }
  }
}
