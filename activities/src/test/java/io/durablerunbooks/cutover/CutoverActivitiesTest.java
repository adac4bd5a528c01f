package io.durablerunbooks.cutover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.durablerunbooks.backup.BackupOptions;
import io.durablerunbooks.backup.BackupSpec;
import io.durablerunbooks.backup.Compression;
import io.durablerunbooks.backup.RetentionPolicy;
import io.durablerunbooks.migrate.ChunkCopyRequest;
import io.durablerunbooks.migrate.KeyRange;
import io.durablerunbooks.migrate.MigrateActivities;
import io.durablerunbooks.migrate.MigrateActivitiesImpl;
import io.durablerunbooks.migrate.MigrateSpec;
import io.durablerunbooks.migrate.MigrateSpec.CopyOptions;
import io.durablerunbooks.migrate.MigrateSpec.KeylessTables;
import io.durablerunbooks.migrate.MigrateSpec.SyncOptions;
import io.durablerunbooks.migrate.MigrateSpec.VerifyOptions;
import io.durablerunbooks.migrate.SchemaPlan;
import io.durablerunbooks.migrate.SyncRequest;
import io.durablerunbooks.migrate.SyncResult;
import io.durablerunbooks.migrate.TablePlan;
import io.durablerunbooks.migrate.TableVerification;
import io.durablerunbooks.activities.LocalStack;
import io.durablerunbooks.postgres.PostgresPools;
import io.durablerunbooks.runbook.ApprovalPolicy;
import io.durablerunbooks.runbook.RunbookHeader;
import io.durablerunbooks.runbook.RunbookKind;
import io.durablerunbooks.secrets.SecretResolver;
import io.durablerunbooks.ssh.SshHost;
import io.temporal.testing.TestActivityEnvironment;
import java.net.http.HttpClient;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cutover's database steps against the stack's real MariaDB and PostgreSQL: the copy checked
 * in every column and repaired, key sets that see a delete the watermark cannot, the change log
 * that records PostgreSQL's writes and copies them back, and the preflight's account checks.
 */
class CutoverActivitiesTest {

  private static final String MARKER = "durable-runbooks migrate-data test";
  private static PostgresPools pools;
  private static TestActivityEnvironment environment;
  private static MigrateActivities migrate;
  private static CutoverActivities cutover;

  private String source;
  private String target;
  private CutoverSpec spec;
  private SchemaPlan plan;

  @BeforeAll
  static void start() {
    LocalStack.requireUp();
    pools = new PostgresPools(SecretResolver.fromEnvironment(), MigrateActivitiesImpl.TARGET_CONNECTIONS);
    environment = LocalStack.activityEnvironment(new MigrateActivitiesImpl(SecretResolver.fromEnvironment(), pools),
        new CutoverActivitiesImpl(SecretResolver.fromEnvironment(), pools, HttpClient.newHttpClient()));
    migrate = environment.newActivityStub(MigrateActivities.class, LocalStack.activityOptions());
    cutover = environment.newActivityStub(CutoverActivities.class, LocalStack.activityOptions());
  }

  @AfterAll
  static void stop() {
    environment.close();
    pools.close();
  }

  @BeforeEach
  void aCopiedShop() throws Exception {
    source = LocalStack.unique("cut_src");
    target = LocalStack.unique("cut_dst");
    LocalStack.mariadbSql("", "CREATE DATABASE " + source);
    LocalStack.mariadbSql(source,
        "CREATE TABLE items (id BIGINT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(60) NOT NULL, price DECIMAL(10,2) NOT NULL,"
            + " updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6))",
        "INSERT INTO items (name, price, updated_at) SELECT CONCAT('item ', seq), seq / 10, '2026-01-01' + INTERVAL seq SECOND"
            + " FROM seq_1_to_30000",
        "CREATE TABLE notes (k VARCHAR(10) PRIMARY KEY, body TEXT)",
        "INSERT INTO notes VALUES ('a', 'first'), ('b', 'second')",
        "CREATE TABLE parts (item_id BIGINT NOT NULL, part_no INT NOT NULL, qty INT NOT NULL, PRIMARY KEY (item_id, part_no))",
        "INSERT INTO parts SELECT i.seq, p.seq, i.seq + p.seq FROM seq_1_to_3000 i JOIN seq_1_to_3 p",
        "CREATE TABLE tags (id INT PRIMARY KEY, name VARCHAR(20) NOT NULL, shout VARCHAR(20) AS (UPPER(name)) STORED)",
        "INSERT INTO tags (id, name) VALUES (1, 'new'), (2, 'sale')");
    LocalStack.createDatabase(target);
    MigrateSpec data = new MigrateSpec(
        new RunbookHeader(RunbookKind.CUTOVER, "test-cutover", "test", "", ApprovalPolicy.unattended(), ""),
        LocalStack.mariadb(source), LocalStack.database(target), "public", List.of(), List.of(), KeylessTables.REFUSE,
        Map.of("tags.shout", "varchar(20)"), Map.of(), List.of(),
        new CopyOptions(2, 10_000), new SyncOptions(true, Map.of("items", "updated_at"), Duration.ofMinutes(1)),
        new VerifyOptions(true, Duration.ofMillis(500), 100));
    SchemaPlan converted = migrate.convertSchema(data);
    migrate.createTables(data, converted, MARKER);
    for (TablePlan t : converted.tables()) {
      for (KeyRange range : migrate.planChunks(data, t)) {
        migrate.copyChunk(new ChunkCopyRequest(data, t, range));
      }
      migrate.buildIndexes(data, t);
    }
    spec = spec(data, "mysql://shop_app@127.0.0.1:13306/" + source);
    plan = migrate.checkCopiedSchema(data);
  }

  @AfterEach
  void dropBoth() throws Exception {
    LocalStack.mariadbSql("", "DROP DATABASE IF EXISTS " + source);
    LocalStack.dropDatabase(target);
  }

  private static CutoverSpec spec(MigrateSpec data, String appMysql) {
    ApplicationSpec app = new ApplicationSpec(
        new SshHost("app1", "127.0.0.1", 22, "deploy"), LocalStack.sshAccess(), "/srv/app.env", "DATABASE_URL", appMysql,
        "postgresql://shop_app@127.0.0.1:15432/shop", "true", Duration.ofMinutes(1), "http://127.0.0.1:1",
        new AppChecks("/health", "/api/items", "/api/items", "{\"name\": \"{marker}\"}", "id", "/api/items/{id}", "items", "name",
            Duration.ofSeconds(5), Duration.ofSeconds(5)));
    BackupSpec backup = new BackupSpec(data.header().as(RunbookKind.BACKUP, "test-cutover-pre-cutover"), data.target(),
        LocalStack.storage("cutover-test"), new BackupOptions(Compression.ZSTD, 3, true, BackupOptions.DEFAULT_PART_SIZE),
        new RetentionPolicy(7, 4));
    return new CutoverSpec(data.header(), data, new CutoverSpec.CatchUpOptions(100, 3), Duration.ofSeconds(5), backup,
        BackupCheck.none(), app, List.of(), List.of(), new WatchOptions(Duration.ofHours(24), Duration.ofMinutes(5), 20, 0.05, 0.999,
            1.5, Duration.ofMillis(500), 0.05, Duration.ofDays(7)));
  }

  private TablePlan table(String name) {
    return plan.tables().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
  }

  private String pg(String sql) throws SQLException {
    try (Connection c = LocalStack.connect(target);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  private String my(String sql) throws SQLException {
    try (Connection c = LocalStack.connectMariadb(source);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  @Test
  void theEveryColumnCheckRepairsWhatDiffersAndLeavesNewRowsToTheNextSync() throws Exception {
    LocalStack.sql(target, "UPDATE items SET price = price + 1 WHERE id IN (17, 25001)", "DELETE FROM items WHERE id = 12000");
    LocalStack.mariadbSql(source, "INSERT INTO items (name, price) VALUES ('new', 1)");

    SyncResult r = migrate.syncTable(new SyncRequest(spec.data(), table("items"), plan.sourceTime(), true));

    assertThat(r.sourceRows()).isEqualTo(30_001);
    assertThat(r.upserted()).as("17, 25001, 12000 and the new row").isEqualTo(4);
    TableVerification v = migrate.verifyTable(spec.data(), table("items"));
    assertThat(v.clean()).as(v.toString()).isTrue();
  }

  @Test
  void keySetsSeeADeleteThatNoWatermarkCan() throws Exception {
    String since = my("SELECT DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%d %H:%i:%s.%f')");
    LocalStack.mariadbSql(source, "DELETE FROM items WHERE id = 4242");

    SyncResult r = migrate.syncTable(new SyncRequest(spec.data(), table("items"), since));

    assertThat(r.deleted()).isEqualTo(1);
    assertThat(pg("SELECT count(*) FROM items WHERE id = 4242")).isEqualTo("0");
    SyncResult again = migrate.syncTable(new SyncRequest(spec.data(), table("items"), since));
    assertThat(again.ranges()).as("key sets equal: no key walk").isZero();
    assertThat(again.changed()).isZero();
  }

  @Test
  void whileMySqlTakesWritesRowsPastPostgresLargestKeyWaitForTheNextSyncInsteadOfAWalk() throws Exception {
    String since = my("SELECT DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%d %H:%i:%s.%f')");
    // A row the sync's watermark read cannot see, as one the application commits just after it.
    LocalStack.mariadbSql(source, "INSERT INTO items (id, name, price, updated_at) VALUES (90000, 'late', 1, '2020-01-01')");

    SyncResult live = migrate.syncTable(new SyncRequest(spec.data(), table("items"), since));

    assertThat(live.ranges()).as("the keys up to PostgreSQL's largest agree: no walk").isZero();
    assertThat(pg("SELECT count(*) FROM items WHERE id = 90000")).isEqualTo("0");

    LocalStack.mariadbSql(source, "DELETE FROM items WHERE id = 4242");
    SyncResult walked = migrate.syncTable(new SyncRequest(spec.data(), table("items"), since));

    assertThat(walked.ranges()).as("a delete below it is a difference").isPositive();
    assertThat(walked.deleted()).isEqualTo(1);
    assertThat(pg("SELECT count(*) FROM items WHERE id = 90000")).as("the walk carried the late row too").isEqualTo("1");
  }

  @Test
  void theChangedRowsCheckFindsARowChangedOnlyInPostgres() throws Exception {
    String since = my("SELECT DATE_FORMAT(UTC_TIMESTAMP(6) - INTERVAL 1 SECOND, '%Y-%m-%d %H:%i:%s.%f')");
    LocalStack.mariadbSql(source, "UPDATE items SET name = 'renamed' WHERE id = 99");
    migrate.syncTable(new SyncRequest(spec.data(), table("items"), since));
    assertThat(migrate.verifyChangedRows(spec.data(), table("items"), since).clean()).isTrue();

    LocalStack.sql(target, "UPDATE items SET name = 'tampered' WHERE id = 99");

    TableVerification v = migrate.verifyChangedRows(spec.data(), table("items"), since);
    assertThat(v.clean()).isFalse();
    assertThat(v.differences()).extracting(d -> d.key()).contains("99");
  }

  @Test
  void theChangeLogRecordsPostgresWritesAndCopiesThemBackToMySql() throws Exception {
    cutover.armChangeLog(spec, plan, "cutover/test-cutover run r1 at now");
    LocalStack.sql(target,
        "INSERT INTO items (name, price, updated_at) VALUES ('on postgres', 9.99, now())",
        "INSERT INTO items (name, price, updated_at) VALUES ('gone again', 1, now())",
        "DELETE FROM items WHERE name = 'gone again'",
        "UPDATE items SET price = 0.5 WHERE id = 7",
        "DELETE FROM items WHERE id = 8",
        "UPDATE notes SET body = 'edited on postgres' WHERE k = 'b'",
        // A column MySQL computes, a plain one on PostgreSQL: copied back without it, MySQL computes it again.
        "UPDATE tags SET name = 'hot', shout = 'HOT' WHERE id = 1");
    long inserted = Long.parseLong(pg("SELECT id FROM items WHERE name = 'on postgres'"));

    ChangeInventory writes = cutover.listPostgresWrites(spec, plan);
    assertThat(writes.armed()).isTrue();
    assertThat(writes.rows()).containsEntry("items", 4L).containsEntry("notes", 1L);
    assertThat(writes.listed()).anyMatch(l -> l.contains(String.valueOf(inserted)) && l.contains("insert"));

    CopyBackResult back = cutover.copyBackPostgresWrites(spec, plan);

    assertThat(back.upserted()).containsEntry("items", 2L).containsEntry("notes", 1L);
    assertThat(back.deleted()).as("8, and the row PostgreSQL made and deleted").containsEntry("items", 2L);
    assertThat(my("SELECT name FROM items WHERE id = " + inserted)).isEqualTo("on postgres");
    assertThat(Long.parseLong(my("SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"
        + " AND TABLE_NAME = 'items'"))).as("past the key PostgreSQL gave the row it deleted").isGreaterThan(inserted + 1);
    assertThat(my("SELECT price FROM items WHERE id = 7")).isEqualTo("0.50");
    assertThat(my("SELECT count(*) FROM items WHERE id = 8")).isEqualTo("0");
    assertThat(my("SELECT body FROM notes WHERE k = 'b'")).isEqualTo("edited on postgres");
    assertThat(back.upserted()).containsEntry("tags", 1L);
    assertThat(my("SELECT CONCAT(name, ' ', shout) FROM tags WHERE id = 1")).isEqualTo("hot HOT");
    for (TablePlan t : plan.tables()) {
      assertThat(migrate.verifyTable(spec.data(), t).clean()).as(t.name()).isTrue();
    }

    cutover.disarmChangeLog(spec, plan);
    assertThat(pg("SELECT count(*) FROM pg_namespace WHERE nspname = 'durable_runbooks'")).isEqualTo("0");
    assertThat(pg("SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relname = 'items'"
        + " AND t.tgname LIKE 'durable_runbooks%'")).isEqualTo("0");
    assertThat(cutover.listPostgresWrites(spec, plan).armed()).isFalse();
  }

  @Test
  void afterACopyBackTheLoggedRowsAndTheKeySetsProveTheTableWithoutReadingItWhole() throws Exception {
    cutover.armChangeLog(spec, plan, "cutover/test-cutover run r1 at now");
    LocalStack.sql(target,
        "INSERT INTO items (name, price, updated_at) VALUES ('on postgres', 9.99, now())",
        "UPDATE items SET price = 0.5 WHERE id = 7",
        "DELETE FROM items WHERE id = 8");
    cutover.copyBackPostgresWrites(spec, plan);

    TableVerification clean = migrate.verifyLoggedRows(spec.data(), table("items"));
    assertThat(clean.clean()).as(clean.toString()).isTrue();
    assertThat(clean.sourceRows()).as("the whole table's keys").isEqualTo(30_000);

    // updated_at set to itself: MySQL would otherwise stamp it, and the row would differ twice.
    LocalStack.mariadbSql(source, "UPDATE items SET price = 0.75, updated_at = updated_at WHERE id = 7");
    TableVerification changed = migrate.verifyLoggedRows(spec.data(), table("items"));
    assertThat(changed.clean()).isFalse();
    assertThat(changed.differences()).extracting(d -> d.key()).containsExactly("7");

    LocalStack.mariadbSql(source, "UPDATE items SET price = 0.5, updated_at = updated_at WHERE id = 7", "DELETE FROM items WHERE id = 100");
    TableVerification missing = migrate.verifyLoggedRows(spec.data(), table("items"));
    assertThat(missing.clean()).as("a row nobody logged, gone from MySQL: the key sets see it").isFalse();
    assertThat(missing.differences()).extracting(d -> d.key()).containsExactly("100");
  }

  @Test
  void theLoggedRowsOfAKeyOfSeveralColumnsAreComparedByTheirGroupAndItsKeysRangeByRange() throws Exception {
    assertThat(table("parts").chunkKey()).isEqualTo("item_id");
    cutover.armChangeLog(spec, plan, "cutover/test-cutover run r1 at now");
    LocalStack.sql(target,
        "UPDATE parts SET qty = 0 WHERE item_id = 5 AND part_no = 2",
        "DELETE FROM parts WHERE item_id = 6 AND part_no = 1",
        "INSERT INTO parts VALUES (5, 4, 1)");
    CopyBackResult back = cutover.copyBackPostgresWrites(spec, plan);
    assertThat(back.upserted()).containsEntry("parts", 2L);
    assertThat(back.deleted()).containsEntry("parts", 1L);

    TableVerification clean = migrate.verifyLoggedRows(spec.data(), table("parts"));
    assertThat(clean.clean()).as(clean.toString()).isTrue();
    assertThat(clean.sourceRows()).as("the whole table's keys, walked").isEqualTo(9_000);

    LocalStack.mariadbSql(source, "UPDATE parts SET qty = 7 WHERE item_id = 5 AND part_no = 3");
    TableVerification changed = migrate.verifyLoggedRows(spec.data(), table("parts"));
    assertThat(changed.differences()).as("a row of a logged group, changed in MySQL only").extracting(d -> d.key())
        .containsExactly("5,3");

    LocalStack.mariadbSql(source, "UPDATE parts SET qty = 8 WHERE item_id = 5 AND part_no = 3", "DELETE FROM parts WHERE item_id = 2000 AND part_no = 2");
    TableVerification missing = migrate.verifyLoggedRows(spec.data(), table("parts"));
    assertThat(missing.differences()).as("a row nobody logged, gone from MySQL: the walk of the keys sees it")
        .extracting(d -> d.key()).containsExactly("2000,2");
  }

  @Test
  void theChangeLogOfAnotherCutoverStopsThePreflight() {
    cutover.armChangeLog(spec, plan, "cutover/another run r9 at then");

    Throwable refused = catchThrowable(() -> cutover.checkPostgres(spec));

    assertThat(LocalStack.applicationFailure(refused).getOriginalMessage()).contains("armed by cutover/another", "roll it back");
  }

  @Test
  void theApplicationMayNotLogInAsTheCutoversAccount() {
    CutoverSpec same = spec(spec.data(), "mysql://root@127.0.0.1:13306/" + source);

    Throwable refused = catchThrowable(() -> cutover.checkMySql(same));

    assertThat(LocalStack.applicationFailure(refused).getOriginalMessage())
        .contains("application.mysql", "the cutover's own account, which read_only does not stop");
  }

  @Test
  void anApplicationAccountThatWritesPastReadOnlyIsRefused() throws Exception {
    String user = "app_" + source.substring(source.length() - 6);
    LocalStack.mariadbSql("", "CREATE USER '" + user + "'@'127.0.0.1' IDENTIFIED BY 'x'", "GRANT SUPER ON *.* TO '" + user + "'@'127.0.0.1'");
    try {
      Throwable refused = catchThrowable(() -> cutover.checkMySql(spec(spec.data(), "mysql://" + user + "@127.0.0.1:13306/" + source)));

      assertThat(LocalStack.applicationFailure(refused).getOriginalMessage()).contains(user, "SUPER", "revoke them");
      assertThat(cutover.checkMySql(spec).applicationUser()).isEqualTo("shop_app");
    } finally {
      LocalStack.mariadbSql("", "DROP USER '" + user + "'@'127.0.0.1'");
    }
  }
}
