package io.durablerunbooks.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.durablerunbooks.activities.FailureTypes;
import io.durablerunbooks.activities.LocalStack;
import io.durablerunbooks.migrate.MigrateSpec.CopyOptions;
import io.durablerunbooks.migrate.MigrateSpec.KeylessTables;
import io.durablerunbooks.migrate.MigrateSpec.SyncOptions;
import io.durablerunbooks.migrate.MigrateSpec.VerifyOptions;
import io.durablerunbooks.postgres.PostgresPools;
import io.durablerunbooks.runbook.ApprovalPolicy;
import io.durablerunbooks.runbook.RunbookHeader;
import io.durablerunbooks.runbook.RunbookKind;
import io.durablerunbooks.secrets.SecretResolver;
import io.temporal.testing.TestActivityEnvironment;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The migration steps against the stack's real MariaDB and PostgreSQL: every type family copied with
 * its edge values and verified equal, each kind of difference found with its key, and bad input
 * refused before anything changes.
 */
class MigrateActivitiesTest {

  private static final String MARKER = "durable-runbooks migrate-data test";
  private static PostgresPools pools;
  private static TestActivityEnvironment environment;
  private static MigrateActivities activities;

  @BeforeAll
  static void start() {
    LocalStack.requireUp();
    pools = new PostgresPools(SecretResolver.fromEnvironment(), MigrateActivitiesImpl.TARGET_CONNECTIONS);
    environment = LocalStack.activityEnvironment(new MigrateActivitiesImpl(SecretResolver.fromEnvironment(), pools));
    activities = environment.newActivityStub(MigrateActivities.class, LocalStack.activityOptions());
  }

  @AfterAll
  static void stop() {
    environment.close();
    pools.close();
  }

  static MigrateSpec spec(String source, String target, KeylessTables keyless, Map<String, String> types, int chunkRows) {
    RunbookHeader header =
        new RunbookHeader(RunbookKind.MIGRATE_DATA, "test-migrate", "test", "", ApprovalPolicy.unattended(), "");
    return new MigrateSpec(
        header, LocalStack.mariadb(source), LocalStack.database(target), "public", List.of(), List.of(), keyless, types, Map.of(), List.of(),
        new CopyOptions(2, chunkRows), new SyncOptions(true, Map.of(), Duration.ofMinutes(1)),
        new VerifyOptions(true, Duration.ofMillis(500), 100));
  }

  record Migrated(SchemaPlan plan, Map<String, TableVerification> verdicts) {}

  /** The whole migration, step by step as the workflow runs it. */
  static Migrated migrate(MigrateSpec spec) {
    SchemaPlan plan = activities.convertSchema(spec);
    activities.createTables(spec, plan, MARKER);
    for (TablePlan t : plan.tables()) {
      for (KeyRange range : activities.planChunks(spec, t)) {
        activities.copyChunk(new ChunkCopyRequest(spec, t, range));
      }
    }
    plan.tables().forEach(t -> activities.buildIndexes(spec, t));
    plan.tables().forEach(t -> activities.addForeignKeys(spec, t));
    return new Migrated(plan, verify(spec, plan));
  }

  static Map<String, TableVerification> verify(MigrateSpec spec, SchemaPlan plan) {
    Map<String, TableVerification> verdicts = new LinkedHashMap<>();
    plan.tables().forEach(t -> verdicts.put(t.name(), activities.verifyTable(spec, t)));
    return verdicts;
  }

  static List<List<String>> pgRows(String database, String sql) throws Exception {
    List<List<String>> rows = new ArrayList<>();
    try (Connection c = LocalStack.connect(database);
        Statement s = c.createStatement()) {
      s.execute("SET TimeZone = 'UTC'");
      try (ResultSet rs = s.executeQuery(sql)) {
        while (rs.next()) {
          List<String> row = new ArrayList<>();
          for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
            row.add(rs.getString(i));
          }
          rows.add(row);
        }
      }
    }
    return rows;
  }

  static String pgValue(String database, String sql) throws Exception {
    return pgRows(database, sql).get(0).get(0);
  }

  /** A source database and a target database for one nested class's tests, dropped after them. */
  abstract class SourceAndTarget {
    final String prefix;
    final String source;
    final String target;
    MigrateSpec spec;
    SchemaPlan plan;

    SourceAndTarget(String prefix) {
      this.prefix = prefix;
      this.source = LocalStack.unique(prefix);
      this.target = LocalStack.unique(prefix);
    }

    @AfterAll
    void drop() throws Exception {
      LocalStack.mariadbSql("", "DROP DATABASE IF EXISTS " + source);
      LocalStack.dropDatabase(target);
    }

    TablePlan table(String name) {
      return plan.tables().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }

    /** Walks a table as the verification does, on sessions set up as the activities set them up. */
    TableVerifier walk(String table) {
      return walk(table, spec.verify(), Thread::sleep,
          new TableVerifier(java.util.concurrent.Executors.newCachedThreadPool(), TableVerifier.Progress.start()));
    }

    TableVerifier walk(String table, VerifyOptions options, TableVerifier.Pauser pauser, TableVerifier verifier) {
      TablePlan t = plan.tables().stream().filter(x -> x.name().equals(table)).findFirst().orElseThrow();
      MySqlSessions sessions = new MySqlSessions(SecretResolver.fromEnvironment());
      sessions.withConnection(spec.source(), "source", my -> sessions.withConnection(spec.source(), "source", json -> {
        try (Connection pg = LocalStack.connect(target);
            Statement s = pg.createStatement()) {
          s.execute(ValueSql.PG_SESSION);
          return verifier.verify(new TableVerifier.Connections(my, json, pg), "public", t, options, pauser);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }));
      return verifier;
    }

    /** Compares the table's key sets, on sessions set up as the activities set them up. */
    TableVerifier.KeySets keySets(String table) {
      MySqlSessions sessions = new MySqlSessions(SecretResolver.fromEnvironment());
      return sessions.withConnection(spec.source(), "source", my -> {
        try (Connection pg = LocalStack.connect(target)) {
          return new TableVerifier(java.util.concurrent.Executors.newCachedThreadPool(), TableVerifier.Progress.start())
              .keySets(new TableVerifier.Connections(my, my, pg), "public", table(table));
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
    }

    /** Changes the target's copy, expects the table's verification to list exactly these rows, then puts it back. */
    void assertListed(String table, List<String> change, List<String> back, RowDifference... listed) throws Exception {
      LocalStack.sql(target, change.toArray(String[]::new));
      try {
        assertThat(activities.verifyTable(spec, table(table)).differences()).containsExactlyInAnyOrder(listed);
      } finally {
        LocalStack.sql(target, back.toArray(String[]::new));
      }
      assertThat(activities.verifyTable(spec, table(table)).clean()).as("clean again once put back").isTrue();
    }
  }

  /** Tables a test builds again in a second source of its own, to change that source after a copy. */
  abstract class ChangingSource extends SourceAndTarget {

    ChangingSource(String prefix) {
      super(prefix);
    }

    /** The statements that create the tables and their rows, in a database of their own. */
    abstract List<String> tables();

    /** Creates the database {@code database} on the source server with the tables and their rows. */
    void fill(String database) throws Exception {
      List<String> statements = new ArrayList<>(List.of("CREATE DATABASE " + database + " CHARACTER SET utf8mb4", "USE " + database));
      statements.addAll(tables());
      LocalStack.mariadbSql("", statements.toArray(String[]::new));
    }

    /**
     * Fills the source and migrates it into the target, {@code chunkRows} rows a range: every table
     * verified clean, no range compared row by row.
     */
    Migrated copyClean(int chunkRows) throws Exception {
      fill(source);
      LocalStack.createDatabase(target);
      spec = spec(source, target, KeylessTables.REFUSE, Map.of(), chunkRows);
      Migrated migrated = migrate(spec);
      plan = migrated.plan();
      migrated.verdicts().values().forEach(v -> {
        assertThat(v.clean()).as(v.toString()).isTrue();
        assertThat(v.rangesByRow()).as(v.table() + ": ranges compared row by row").isZero();
      });
      return migrated;
    }

    @FunctionalInterface
    interface SecondCopy {
      void run(String source, String target, MigrateSpec spec, SchemaPlan plan) throws Exception;
    }

    /** A second source filled alike, migrated into a second target; both dropped after {@code work}. */
    void onASecondCopy(int chunkRows, SecondCopy work) throws Exception {
      String changed = LocalStack.unique(prefix);
      String copy = LocalStack.unique(prefix);
      fill(changed);
      LocalStack.createDatabase(copy);
      try {
        MigrateSpec s = spec(changed, copy, KeylessTables.REFUSE, Map.of(), chunkRows);
        work.run(changed, copy, s, migrate(s).plan());
      } finally {
        LocalStack.mariadbSql("", "DROP DATABASE IF EXISTS " + changed);
        LocalStack.dropDatabase(copy);
      }
    }
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class TypeMap extends SourceAndTarget {

    TypeMap() {
      super("types");
    }
    private Map<String, TableVerification> verdicts;

    @BeforeAll
    void copyEveryFamily() throws Exception {
      LocalStack.mariadbSql(
          "",
          "CREATE DATABASE " + source + " CHARACTER SET utf8mb4",
          "USE " + source,
          "CREATE TABLE ints (id INT PRIMARY KEY AUTO_INCREMENT, ti TINYINT, tu TINYINT UNSIGNED, si SMALLINT,"
              + " su SMALLINT UNSIGNED, mi MEDIUMINT, mu MEDIUMINT UNSIGNED, i INT, iu INT UNSIGNED, bi BIGINT,"
              + " bu BIGINT UNSIGNED, flag TINYINT(1) NOT NULL DEFAULT 1, y YEAR)",
          "INSERT INTO ints VALUES (1, -128, 0, -32768, 0, -8388608, 0, -2147483648, 0, -9223372036854775808, 0, 0, 1901),"
              + " (2, 127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295, 9223372036854775807,"
              + " 18446744073709551615, 1, 2155), (7, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL)",
          "ALTER TABLE ints AUTO_INCREMENT = 1000",
          "CREATE TABLE nums (id BIGINT UNSIGNED PRIMARY KEY AUTO_INCREMENT, d DECIMAL(65,30), m DECIMAL(10,2) NOT NULL"
              + " DEFAULT 0.00, f FLOAT, g DOUBLE)",
          "INSERT INTO nums (d, m, f, g) VALUES (99999999999999999999999999999999999.999999999999999999999999999999,"
              + " 99999999.99, 3.4e38, 1.7976931348623157e308), (-0.000000000000000000000000000001, -0.01, 1.17549e-38,"
              + " 0.1), (0, 0, 0, -123456.789012345), (NULL, 5.5, NULL, NULL)",
          "CREATE TABLE times (id INT PRIMARY KEY, d DATE, dt DATETIME(6), ts TIMESTAMP(6) NULL DEFAULT NULL,"
              + " t TIME(3), changed TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP)",
          "INSERT INTO times VALUES (1, '0000-00-00', '0000-00-00 00:00:00', NULL, '00:00:00', '2020-01-01 00:00:00'),"
              + " (2, '1000-01-01', '1000-01-01 00:00:00.000001', '1970-01-01 00:00:01', '23:59:59.999', '2021-06-30 12:00:00'),"
              + " (3, '9999-12-31', '9999-12-31 23:59:59.999999', '2038-01-19 03:14:07.999999', '12:34:56.789',"
              + " '2024-02-29 23:59:59')",
          "CREATE TABLE texts (id INT PRIMARY KEY, c CHAR(5), v VARCHAR(100) NOT NULL DEFAULT 'it''s', t TEXT,"
              + " l1 VARCHAR(20) CHARACTER SET latin1, e ENUM('small','big one') DEFAULT 'small', s SET('a','b','c'), j JSON,"
              + " KEY idx_v (v), UNIQUE KEY uq_c (c), KEY idx_prefix (t(10)))",
          "INSERT INTO texts VALUES (1, '', '', '', '', 'small', '', '{}'),"
              + " (2, NULL, 'emoji 😀🎉 and 𝄞', 'tab\\there\\nnewline \\\\ backslash', 'naïve', 'big one', 'a,c',"
              + " '{\"b\": [1, 2.50, 1e3, \"😀\"], \"a\": {\"z\": null, \"y\": true}}'),"
              + " (3, 'abc', 'trailing space ', NULL, NULL, NULL, NULL, NULL), (4, 'x', 'q', REPEAT('long ', 20000), 'x', 'small', 'b', '[]')",
          "CREATE TABLE bins (id INT PRIMARY KEY, b BINARY(4), vb VARBINARY(10), bl BLOB, bits BIT(10), b1 BIT(1),"
              + " tag VARBINARY(4) NOT NULL DEFAULT 'ab')",
          "INSERT INTO bins (id, b, vb, bl, bits, b1) VALUES (1, x'00000000', x'00ff00', x'', b'1111111111', b'0'),"
              + " (2, NULL, NULL, NULL, NULL, NULL), (3, 'ab', '\\\\', RANDOM_BYTES(1000), b'0000000001', b'1')",
          "CREATE TABLE parents (id INT PRIMARY KEY, created DATETIME NOT NULL, KEY idx_created (created))",
          "CREATE TABLE children (id INT PRIMARY KEY, parent_id INT NOT NULL, created DATETIME NOT NULL,"
              + " KEY idx_created (created), CONSTRAINT fk_parent FOREIGN KEY (parent_id) REFERENCES parents (id) ON DELETE CASCADE)",
          "INSERT INTO parents SELECT seq, '2024-01-01' + INTERVAL seq MINUTE FROM seq_1_to_5000",
          "INSERT INTO children SELECT seq, 1 + seq % 5000, '2024-01-01' + INTERVAL seq SECOND FROM seq_1_to_12000",
          "CREATE TABLE readings (sensor VARCHAR(10), at DATETIME(6), v INT NOT NULL, PRIMARY KEY (sensor, at))",
          "INSERT INTO readings VALUES ('s1', '2024-01-01 00:00:00.500000', 1), ('s1', '2024-01-01 00:00:01', 2),"
              + " ('s😀', '2024-01-01 00:00:00.000001', 3)",
          "CREATE TABLE uuids (id BINARY(16) PRIMARY KEY, v INT NOT NULL)",
          "INSERT INTO uuids VALUES (UNHEX('00112233445566778899aabbccddeeff'), 1), (UNHEX('0000000000000000000000000000000a'), 2)");
      LocalStack.createDatabase(target);
      spec = spec(source, target, KeylessTables.REFUSE, Map.of(), 1_000);
      Migrated migrated = migrate(spec);
      verdicts = migrated.verdicts();
      plan = migrated.plan();
    }

    @Test
    void everyTableVerifiesEqual() {
      assertThat(verdicts).hasSize(9);
      verdicts.values().forEach(v -> assertThat(v.clean()).as(v.toString()).isTrue());
      assertThat(verdicts.get("children").sourceRows()).isEqualTo(12_000);
      assertThat(verdicts.get("children").ranges()).as("the table was compared in more than one key range").isGreaterThan(1);
    }

    @Test
    void aKeyWithADatetimeFractionIsListedAsPostgresqlWritesIt() throws Exception {
      assertListed("readings",
          List.of("UPDATE readings SET v = 9 WHERE v IN (1, 3)"),
          List.of("UPDATE readings SET v = 1 WHERE sensor = 's1' AND at < '2024-01-01 00:00:01'",
              "UPDATE readings SET v = 3 WHERE sensor <> 's1'"),
          new RowDifference("s1,2024-01-01 00:00:00.5", RowDifference.Kind.DIFFERENT),
          new RowDifference("s😀,2024-01-01 00:00:00.000001", RowDifference.Kind.DIFFERENT));
    }

    @Test
    void integersKeepTheirRangeAndUnsignedOnesAreWidened() throws Exception {
      assertThat(pgRows(target, "SELECT tu, su, mu, iu, bi, bu, flag, y FROM ints ORDER BY id"))
          .containsExactly(
              List.of("0", "0", "0", "0", "-9223372036854775808", "0", "f", "1901"),
              List.of("255", "65535", "16777215", "4294967295", "9223372036854775807", "18446744073709551615", "t", "2155"),
              java.util.Arrays.asList(null, null, null, null, null, null, "f", null));
      assertThat(pgRows(target, "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'ints'"
              + " AND column_name IN ('iu', 'bu', 'flag') ORDER BY 1"))
          .containsExactly(List.of("bu", "numeric"), List.of("flag", "boolean"), List.of("iu", "bigint"));
    }

    @Test
    void identityRestartsPastTheSourceCounterAndKeepsDefaults() throws Exception {
      LocalStack.sql(target, "INSERT INTO ints (ti) VALUES (5)");
      assertThat(pgValue(target, "SELECT max(id) FROM ints")).isEqualTo("1000");
      assertThat(pgValue(target, "SELECT flag FROM ints WHERE id = 1000")).isEqualTo("t");
      LocalStack.sql(target, "DELETE FROM ints WHERE id = 1000");
      assertThat(pgValue(target, "SELECT column_default FROM information_schema.columns WHERE table_name = 'texts'"
              + " AND column_name = 'v'")).isEqualTo("'it''s'::character varying");
    }

    @Test
    void decimalsAndFloatsAreExact() throws Exception {
      assertThat(pgRows(target, "SELECT d::text, m::text FROM nums ORDER BY id"))
          .extracting(r -> r.get(0) + " " + r.get(1))
          .containsExactly(
              "99999999999999999999999999999999999.999999999999999999999999999999 99999999.99",
              "-0.000000000000000000000000000001 -0.01",
              "0.000000000000000000000000000000 0.00",
              "null 5.50");
      assertThat(pgValue(target, "SELECT g FROM nums WHERE id = 1")).isEqualTo("1.7976931348623157e+308");
    }

    @Test
    void zeroDatesBecomeNullAndTimestampsAreInstantsInUtc() throws Exception {
      assertThat(pgRows(target, "SELECT d, dt, to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') FROM times ORDER BY id"))
          .containsExactly(
              java.util.Arrays.asList(null, null, null),
              List.of("1000-01-01", "1000-01-01 00:00:00.000001", "1970-01-01 00:00:01.000000"),
              List.of("9999-12-31", "9999-12-31 23:59:59.999999", "2038-01-19 03:14:07.999999"));
    }

    @Test
    void onUpdateCurrentTimestampIsATrigger() throws Exception {
      assertThat(pgValue(target, "SELECT is_nullable || ' ' || column_default FROM information_schema.columns"
              + " WHERE table_name = 'times' AND column_name = 'changed'")).isEqualTo("NO CURRENT_TIMESTAMP");
      String before = pgValue(target, "SELECT changed FROM times WHERE id = 2");
      LocalStack.sql(target, "UPDATE times SET t = '01:02:03' WHERE id = 2");
      String after = pgValue(target, "SELECT changed FROM times WHERE id = 2");
      LocalStack.sql(target, "UPDATE times SET t = '23:59:59.999', changed = '" + before + "' WHERE id = 2");
      assertThat(after).isNotEqualTo(before);
      assertThat(pgValue(target, "SELECT changed FROM times WHERE id = 2")).isEqualTo(before);
    }

    @Test
    void textKeepsEveryCharacterAndJsonBecomesJsonb() throws Exception {
      assertThat(pgRows(target, "SELECT v, t, l1, s FROM texts WHERE id = 2").get(0))
          .containsExactly("emoji 😀🎉 and 𝄞", "tab\there\nnewline \\ backslash", "naïve", "a,c");
      assertThat(pgValue(target, "SELECT j->'b'->>3 FROM texts WHERE id = 2")).isEqualTo("😀");
      assertThat(pgValue(target, "SELECT pg_typeof(j)::text FROM texts LIMIT 1")).isEqualTo("jsonb");
      assertThat(pgValue(target, "SELECT c IS NULL FROM texts WHERE id = 2")).isEqualTo("t");
      assertThat(pgValue(target, "SELECT c = '' FROM texts WHERE id = 1")).isEqualTo("t");
      assertThatThrownBy(() -> LocalStack.sql(target, "UPDATE texts SET e = 'medium' WHERE id = 1"))
          .hasMessageContaining("texts_e_check");
    }

    @Test
    void binaryKeepsZeroBytesAndBitsTheirWidth() throws Exception {
      assertThat(pgRows(target, "SELECT encode(b, 'hex'), encode(vb, 'hex'), encode(bl, 'hex'), bits::text, b1::text FROM bins WHERE id = 1").get(0))
          .containsExactly("00000000", "00ff00", "", "1111111111", "0");
      assertThat(pgValue(target, "SELECT encode(b, 'hex') FROM bins WHERE id = 3")).isEqualTo("61620000");
      assertThat(pgValue(target, "SELECT column_default FROM information_schema.columns WHERE table_name = 'bins'"
          + " AND column_name = 'tag'")).as("a binary default kept").isEqualTo("'\\x6162'::bytea");
    }

    /** Binary values up to 32 bytes are compared as their hex, longer ones by their SHA-256. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
        delimiter = '#',
        value = {
          "a zero byte added to a varbinary(10) # vb # vb || '\\x00'::bytea                             # 1",
          "a byte changed in a binary(4)        # b  # '\\x00000001'::bytea                              # 1",
          "a byte changed in a blob             # bl # set_byte(bl, 999, (get_byte(bl, 999) + 1) % 256) # 3",
        })
    void aChangedByteIsFoundWithItsKey(String name, String column, String changed, String key) throws Exception {
      String where = " FROM bins WHERE id = " + key;
      String before = pgValue(target, "SELECT encode(" + column + ", 'hex')" + where);
      LocalStack.sql(target, "UPDATE bins SET " + column + " = " + changed + " WHERE id = " + key);
      try {
        assertThat(activities.verifyTable(spec, table("bins")).differences())
            .containsExactly(new RowDifference(key, RowDifference.Kind.DIFFERENT));
      } finally {
        LocalStack.sql(target, "UPDATE bins SET " + column + " = decode('" + before + "', 'hex') WHERE id = " + key);
      }
      assertThat(activities.verifyTable(spec, table("bins")).clean()).as("clean again once put back").isTrue();
    }

    @Test
    void aKeyTheSourceComparesIgnoringCaseIsNoted() {
      assertThat(plan.notes())
          .anyMatch(n -> n.startsWith("unique index uq_c of texts compares c (utf8mb4_general_ci) ignoring case on the source"))
          .anyMatch(n -> n.startsWith("the primary key of readings compares sensor (utf8mb4_general_ci) ignoring case"))
          .noneMatch(n -> n.contains("of uuids compares") || n.contains("primary key of texts"));
    }

    @Test
    void indexesKeepTheirNamesUnlessTakenAndForeignKeysFollowTheLoad() throws Exception {
      assertThat(pgRows(target, "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1"))
          .extracting(r -> r.get(0))
          .contains("idx_v", "uq_c", "idx_prefix", "idx_created", "parents_idx_created", "parents_pkey");
      assertThat(pgValue(target, "SELECT indexdef FROM pg_indexes WHERE indexname = 'idx_prefix'")).contains("\"left\"(t, 10)");
      assertThat(pgValue(target, "SELECT confdeltype FROM pg_constraint WHERE conname = 'fk_parent'")).isEqualTo("c");
    }
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class Verification extends SourceAndTarget {

    Verification() {
      super("verify");
    }

    @BeforeAll
    void copy() throws Exception {
      LocalStack.mariadbSql(
          "",
          "CREATE DATABASE " + source + " CHARACTER SET utf8mb4",
          "USE " + source,
          "CREATE TABLE m (id INT PRIMARY KEY, name VARCHAR(50) NOT NULL, note VARCHAR(50), amount DECIMAL(10,2),"
              + " at DATETIME(6), mood VARCHAR(10), doc JSON)",
          // JSON as an application may write it: escapes, spacing and key order that jsonb does not
          // keep; equal all the same.
          "INSERT INTO m SELECT seq, CONCAT('name ', seq), IF(seq % 3 = 0, '', CONCAT('note ', seq)), seq / 4,"
              + " '2024-01-01' + INTERVAL seq SECOND, '😀',"
              + " CONCAT('{\"b\":  2.50, \"a\": \"caf\\\\u00e9\", \"n\": [', seq, ', {\"z\": null}]}') FROM seq_1_to_30000");
      LocalStack.createDatabase(target);
      spec = spec(source, target, KeylessTables.REFUSE, Map.of(), 4_000);
      Migrated migrated = migrate(spec);
      assertThat(migrated.verdicts().get("m").clean()).as("an untouched copy verifies clean").isTrue();
      plan = migrated.plan();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
        delimiter = '#',
        value = {
          "one changed value     # UPDATE m SET name = 'changed' WHERE id = 17               # UPDATE m SET name = 'name 17' WHERE id = 17   # 17     # DIFFERENT",
          "one missing row       # DELETE FROM m WHERE id = 29999                             # INSERT INTO m VALUES (29999, 'name 29999', 'note 29999', 7499.75, '2024-01-01 08:19:59', '😀', '{\"a\": \"café\", \"b\": 2.50, \"n\": [29999, {\"z\": null}]}') # 29999 # MISSING_IN_TARGET",
          "one extra row         # INSERT INTO m VALUES (40000, 'x', 'y', 1, NULL, NULL, NULL)      # DELETE FROM m WHERE id = 40000                # 40000  # EXTRA_IN_TARGET",
          "NULL for empty string # UPDATE m SET note = NULL WHERE id = 3                       # UPDATE m SET note = '' WHERE id = 3            # 3      # DIFFERENT",
          "one-second shift      # UPDATE m SET at = at + interval '1 second' WHERE id = 21   # UPDATE m SET at = at - interval '1 second' WHERE id = 21 # 21 # DIFFERENT",
          "a trailing space      # UPDATE m SET name = name || ' ' WHERE id = 22              # UPDATE m SET name = rtrim(name) WHERE id = 22 # 22     # DIFFERENT",
          "a changed emoji       # UPDATE m SET mood = '😃' WHERE id = 23                     # UPDATE m SET mood = '😀' WHERE id = 23        # 23     # DIFFERENT",
          "a changed JSON value  # UPDATE m SET doc = jsonb_set(doc, '{n,0}', '0') WHERE id = 24 # UPDATE m SET doc = jsonb_set(doc, '{n,0}', '24') WHERE id = 24 # 24 # DIFFERENT",
          "a JSON array order    # UPDATE m SET doc = jsonb_set(doc, '{n}', '[{\"z\": null}, 25]') WHERE id = 25 # UPDATE m SET doc = jsonb_set(doc, '{n}', '[25, {\"z\": null}]') WHERE id = 25 # 25 # DIFFERENT",
          "a decimal scale change # ALTER TABLE m ALTER amount TYPE numeric(10,3)             # ALTER TABLE m ALTER amount TYPE numeric(10,2) # 1      # DIFFERENT",
        })
    void aDifferenceIsFoundWithItsKey(String name, String mutate, String revert, String key, RowDifference.Kind kind)
        throws Exception {
      LocalStack.sql(target, mutate);
      try {
        TableVerification v = activities.verifyTable(spec, plan.tables().get(0));
        assertThat(v.clean()).isFalse();
        assertThat(v.differences()).contains(new RowDifference(key, kind));
        if (!name.startsWith("a decimal")) {
          assertThat(v.differingRows()).isEqualTo(1);
          assertThat(v.rangesByRow()).as("the one range holding the row, compared row by row").isEqualTo(1);
        }
      } finally {
        LocalStack.sql(target, revert);
      }
      assertThat(activities.verifyTable(spec, plan.tables().get(0)).clean()).as("clean again once reverted").isTrue();
    }
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class BadInput extends SourceAndTarget {

    BadInput() {
      super("bad");
    }

    @BeforeAll
    void create() throws Exception {
      LocalStack.mariadbSql(
          "",
          "CREATE DATABASE " + source + " CHARACTER SET utf8mb4",
          "USE " + source,
          "CREATE TABLE places (id INT PRIMARY KEY, location POINT)",
          "CREATE TABLE events (at DATETIME, what VARCHAR(20), doc JSON)",
          "INSERT INTO events VALUES ('2024-01-01 00:00:00', 'a', '{\"y\": 1, \"x\": [2]}'),"
              + " ('2024-01-01 00:00:00', 'a', '{\"y\": 1, \"x\": [2]}'), (NULL, 'b', NULL)",
          "CREATE TABLE kept (id INT PRIMARY KEY, v INT)",
          "INSERT INTO kept VALUES (1, 1)",
          // Rows the source's own constraints did not stop: written with its checks off, and a zero
          // date in a NOT NULL column under a lax sql_mode.
          "CREATE TABLE stock (id INT PRIMARY KEY, qty INT NOT NULL, CONSTRAINT qty_positive CHECK (qty > 0))",
          "SET SESSION check_constraint_checks = 0",
          "INSERT INTO stock VALUES (1, 5), (2, -1), (3, 7)",
          "SET SESSION check_constraint_checks = 1",
          "CREATE TABLE dated (id INT PRIMARY KEY, at DATETIME NOT NULL)",
          "SET SESSION sql_mode = ''",
          "INSERT INTO dated VALUES (1, '2024-01-01 00:00:00'), (2, '0000-00-00 00:00:00')",
          "CREATE TABLE restock (id INT PRIMARY KEY, qty INT NOT NULL, CONSTRAINT restock_positive CHECK (qty > 0))",
          "INSERT INTO restock VALUES (1, 5), (2, 6)");
      LocalStack.createDatabase(target);
    }

    @Test
    void aRowTheTargetRefusesFailsTheDeltaSyncAtOnce() throws Exception {
      MigrateSpec s = only(List.of("restock"), KeylessTables.REFUSE, Map.of());
      SchemaPlan plan = activities.convertSchema(s);
      activities.createTables(s, plan, MARKER);
      try {
        TablePlan t = plan.tables().get(0);
        activities.copyChunk(new ChunkCopyRequest(s, t, KeyRange.ALL));
        LocalStack.mariadbSql(source, "SET SESSION check_constraint_checks = 0", "INSERT INTO restock VALUES (3, -2)",
            "UPDATE restock SET qty = 7 WHERE id = 2");
        assertThatThrownBy(() -> activities.syncTable(new SyncRequest(s, t, plan.sourceTime())))
            .satisfies(e -> assertThat(LocalStack.applicationFailure(e).isNonRetryable()).isTrue())
            .hasMessageContaining("table restock, rows the delta sync copies: PostgreSQL refused a source row")
            .hasMessageContaining("checkConstraints.restock.restock_positive");
        assertThat(pgRows(target, "SELECT id, qty FROM restock ORDER BY id"))
            .as("the range's repair rolled back whole").containsExactly(List.of("1", "5"), List.of("2", "6"));
      } finally {
        activities.dropCreatedTables(s, plan, MARKER);
      }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
        delimiter = '#',
        value = {
          "stock # violates check constraint \"qty_positive\" # checkConstraints.stock.qty_positive",
          "dated # violates not-null constraint               # a zero date in a NOT NULL column",
        })
    void aRowTheTargetRefusesFailsTheCopyAtOnceNamingTheConstraint(String table, String refused, String fix) throws Exception {
      MigrateSpec s = only(List.of(table), KeylessTables.REFUSE, Map.of());
      SchemaPlan plan = activities.convertSchema(s);
      activities.createTables(s, plan, MARKER);
      try {
        TablePlan t = plan.tables().get(0);
        assertThatThrownBy(() -> activities.copyChunk(new ChunkCopyRequest(s, t, KeyRange.ALL)))
            .satisfies(e -> {
              assertThat(LocalStack.applicationFailure(e).getType()).isEqualTo(FailureTypes.INVALID_INPUT);
              assertThat(LocalStack.applicationFailure(e).isNonRetryable()).as("the same rows are refused on every attempt").isTrue();
            })
            .hasMessageContaining("table " + table + ", rows (-inf, +inf]: PostgreSQL refused a source row")
            .hasMessageContaining(refused)
            .hasMessageContaining(fix)
            .hasMessageNotContaining("Failing row");
        assertThat(pgValue(target, "SELECT count(*) FROM " + table)).as("nothing of the range kept").isEqualTo("0");
      } finally {
        activities.dropCreatedTables(s, plan, MARKER);
      }
    }

    private MigrateSpec only(List<String> tables, KeylessTables keyless, Map<String, String> types) {
      MigrateSpec s = spec(source, target, keyless, types, 1_000);
      return new MigrateSpec(s.header(), s.source(), s.target(), s.targetSchema(), tables, List.of(), keyless, types, Map.of(), List.of(), s.copy(), s.sync(), s.verify());
    }

    @Test
    void anUnsupportedTypeIsRefusedNamingTheColumnUnlessTheRunbookChoosesOne() throws Exception {
      assertThatThrownBy(() -> activities.convertSchema(only(List.of("places"), KeylessTables.REFUSE, Map.of())))
          .satisfies(e -> assertThat(LocalStack.applicationFailure(e).getType()).isEqualTo(FailureTypes.INVALID_INPUT))
          .hasMessageContaining("column places.location has type point")
          .hasMessageContaining("set columnTypes.places.location");
      SchemaPlan plan = activities.convertSchema(only(List.of("places"), KeylessTables.REFUSE, Map.of("places.location", "text")));
      assertThat(plan.tables().get(0).columns().get(1).pgType()).isEqualTo("text");
      assertThat(pgValue(target, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")).isEqualTo("0");
    }

    @Test
    void aTableWithoutPrimaryKeyIsRefusedOrCopiedWholeWithAWholeTableChecksum() throws Exception {
      assertThatThrownBy(() -> activities.convertSchema(only(List.of("events"), KeylessTables.REFUSE, Map.of())))
          .hasMessageContaining("table events has no primary key")
          .hasMessageContaining("tables.withoutPrimaryKey: copy-whole");
      String other = LocalStack.unique("keyless");
      LocalStack.createDatabase(other);
      try {
        MigrateSpec s = only(List.of("events"), KeylessTables.COPY_WHOLE, Map.of());
        MigrateSpec whole =
            new MigrateSpec(s.header(), s.source(), LocalStack.database(other), "public", s.include(), s.exclude(),
                s.keylessTables(), s.columnTypes(), Map.of(), List.of(), s.copy(), s.sync(), s.verify());
        Migrated migrated = migrate(whole);
        TableVerification v = migrated.verdicts().get("events");
        assertThat(v.clean()).isTrue();
        assertThat(v.ranges()).isEqualTo(1);
        assertThat(v.sourceRows()).isEqualTo(3);
        assertThat(migrated.plan().notes()).anyMatch(n -> n.contains("events is copied and verified in one piece"));
        // One of two equal rows' JSON changed: the sums of the rows' digests tell, where a XOR of two
        // equal rows would not.
        LocalStack.sql(other, "UPDATE events SET doc = '{\"x\": [3], \"y\": 1}' WHERE ctid = (SELECT min(ctid) FROM events WHERE what = 'a')");
        TableVerification changed = activities.verifyTable(whole, migrated.plan().tables().get(0));
        assertThat(changed.clean()).as("a JSON value changed").isFalse();
        assertThat(changed.rangesByRow()).as("a table without a key has no rows to list").isZero();
        LocalStack.sql(other, "UPDATE events SET doc = '{\"x\": [2], \"y\": 1}' WHERE doc IS NOT NULL");
        assertThat(activities.verifyTable(whole, migrated.plan().tables().get(0)).clean()).as("changed back").isTrue();
        LocalStack.sql(other, "DELETE FROM events WHERE what = 'b'");
        assertThat(activities.verifyTable(whole, migrated.plan().tables().get(0)).clean()).isFalse();
      } finally {
        LocalStack.dropDatabase(other);
      }
    }

    @Test
    void aTargetTableAlreadyThereIsRefusedAndLeftAlone() throws Exception {
      LocalStack.sql(target, "CREATE TABLE kept (id int primary key, v int)", "INSERT INTO kept VALUES (9, 9)");
      try {
        assertThatThrownBy(() -> activities.convertSchema(only(List.of("kept"), KeylessTables.REFUSE, Map.of())))
            .hasMessageContaining("public.kept already exist")
            .hasMessageContaining("nothing was changed");
        assertThat(pgRows(target, "SELECT id, v FROM kept")).containsExactly(List.of("9", "9"));
      } finally {
        LocalStack.sql(target, "DROP TABLE kept");
      }
    }

    @Test
    void anUnreachableSourceIsATransientFailureNamingTheField() {
      MigrateSpec s = only(List.of(), KeylessTables.REFUSE, Map.of());
      MigrateSpec unreachable =
          new MigrateSpec(s.header(), new MySqlConnection("jdbc:mariadb://127.0.0.1:1/" + source, "root", LocalStack.MARIADB_PASSWORD),
              s.target(), "public", List.of(), List.of(), s.keylessTables(), s.columnTypes(), Map.of(), List.of(), s.copy(), s.sync(), s.verify());
      assertThatThrownBy(() -> activities.convertSchema(unreachable))
          .satisfies(e -> {
            assertThat(LocalStack.applicationFailure(e).getType()).isEqualTo(FailureTypes.DATABASE_UNAVAILABLE);
            assertThat(LocalStack.applicationFailure(e).isNonRetryable()).isFalse();
          })
          .hasMessageContaining("source.url: cannot reach MySQL at 127.0.0.1:1");
    }
  }

  /**
   * What the source computes or checks with its own expressions: a generated column is refused
   * until the runbook chooses to copy its values into a plain column, and CHECK constraints reach
   * the target translated, checked by PostgreSQL before anything is created, or rewritten or left
   * out by the runbook. Never a silent change.
   */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class SourceExpressions extends SourceAndTarget {

    private static final Map<String, String> AS_VALUES = Map.of("stock.total", "numeric(12,2)", "stock.label", "varchar(30)");
    private static final List<String> LEFT_BEHIND = List.of("stock_audit", "cheap", "restock");

    SourceExpressions() {
      super("expr");
    }

    @BeforeAll
    void create() throws Exception {
      LocalStack.mariadbSql(
          "",
          "CREATE DATABASE " + source + " CHARACTER SET utf8mb4",
          "USE " + source,
          "CREATE TABLE stock (id INT PRIMARY KEY, code VARCHAR(20) NOT NULL COMMENT 'the SKU: it''s A\\\\1', price DECIMAL(10,2) NOT NULL, qty INT NOT NULL,"
              + " total DECIMAL(12,2) AS (price * qty) STORED, label VARCHAR(30) AS (CONCAT('q', qty)) VIRTUAL,"
              + " CONSTRAINT qty_positive CHECK (qty > 0),"
              + " CONSTRAINT `code form` CHECK (code LIKE 'A%' OR code = 'it''s `x`'),"
              + " CONSTRAINT mysql_only CHECK (code REGEXP '^[A-Z]' OR qty < 10))",
          "INSERT INTO stock (id, code, price, qty) SELECT seq, IF(seq = 7, 'it''s `x`', CONCAT('A', seq)), seq / 4, seq % 9 + 1"
              + " FROM seq_1_to_3000",
          "CREATE TABLE moves (id INT, at DATE, qty INT NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (YEAR(at))"
              + " (PARTITION old VALUES LESS THAN (2025), PARTITION now VALUES LESS THAN MAXVALUE)",
          "INSERT INTO moves SELECT seq, '2024-06-01' + INTERVAL seq DAY, seq FROM seq_1_to_1000",
          "CREATE TRIGGER stock_audit BEFORE UPDATE ON stock FOR EACH ROW SET NEW.qty = NEW.qty",
          "CREATE VIEW cheap AS SELECT id FROM stock WHERE price < 1",
          "CREATE PROCEDURE restock() SET @restocked = 1");
      LocalStack.createDatabase(target);
    }

    private MigrateSpec with(Map<String, String> types, Map<String, String> checks, List<String> leaveBehind) {
      MigrateSpec s = spec(source, target, KeylessTables.REFUSE, types, 1_000);
      return new MigrateSpec(s.header(), s.source(), s.target(), s.targetSchema(), List.of(), List.of(), s.keylessTables(), types,
          checks, leaveBehind, s.copy(), s.sync(), s.verify());
    }

    @Test
    void aGeneratedColumnIsRefusedUntilTheRunbookCopiesItsValues() throws Exception {
      assertThatThrownBy(() -> activities.convertSchema(with(Map.of(), Map.of("stock.mysql_only", "skip"), LEFT_BEHIND)))
          .satisfies(e -> assertThat(LocalStack.applicationFailure(e).getType()).isEqualTo(FailureTypes.INVALID_INPUT))
          .hasMessageContaining("column stock.total is computed by the source (STORED GENERATED AS `price` * `qty`)")
          .hasMessageContaining("set columnTypes.stock.total")
          .hasMessageContaining("column stock.label is computed by the source (VIRTUAL GENERATED AS concat('q',`qty`))");
      assertThat(pgValue(target, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")).isEqualTo("0");
    }

    @Test
    void codeOnTheSourceIsRefusedUntilTheRunbookLeavesItBehindByName() throws Exception {
      Map<String, String> checks = Map.of("stock.mysql_only", "skip");
      assertThatThrownBy(() -> activities.convertSchema(with(AS_VALUES, checks, List.of())))
          .satisfies(e -> assertThat(LocalStack.applicationFailure(e).getType()).isEqualTo(FailureTypes.INVALID_INPUT))
          .hasMessageContaining("the source runs code that migrate-data does not carry over (it copies tables):"
              + " trigger stock_audit on stock, view cheap, procedure restock.")
          .hasMessageContaining("leaveBehind: [stock_audit, cheap, restock]");
      assertThatThrownBy(() -> activities.convertSchema(with(AS_VALUES, checks, List.of("stock_audit", "cheap"))))
          .as("one not named is enough")
          .hasMessageContaining("does not carry over (it copies tables): procedure restock.");
      assertThatThrownBy(() -> activities.convertSchema(with(AS_VALUES, checks, List.of("stock_audit", "cheap", "restock", "restocks"))))
          .hasMessageContaining("leaveBehind: the source has no trigger, view, procedure, function or event named \"restocks\"")
          .hasMessageNotContaining("does not carry over");
      assertThat(pgValue(target, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")).isEqualTo("0");
      assertThat(activities.convertSchema(with(AS_VALUES, checks, LEFT_BEHIND)).notes())
          .contains("left on the source, not carried over (leaveBehind): trigger stock_audit on stock, view cheap, procedure restock");
    }

    @Test
    void aCheckPostgresqlRefusesIsNamedBeforeAnythingIsCreated() throws Exception {
      assertThatThrownBy(() -> activities.convertSchema(with(AS_VALUES, Map.of(), LEFT_BEHIND)))
          .satisfies(e -> assertThat(LocalStack.applicationFailure(e).getType()).isEqualTo(FailureTypes.INVALID_INPUT))
          .hasMessageContaining("table stock: PostgreSQL refuses its CREATE TABLE (ERROR: syntax error at or near \"regexp\"")
          .hasMessageContaining("checkConstraints.stock.<constraint>");
      assertThatThrownBy(() -> activities.convertSchema(with(AS_VALUES, Map.of("stock.mysql_only", "skip", "stock.nope", "skip"), LEFT_BEHIND)))
          .hasMessageContaining("checkConstraints.stock.nope: no such CHECK constraint among the tables copied");
      assertThat(pgValue(target, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")).isEqualTo("0");
    }

    @Test
    void checksReachTheTargetAndGeneratedValuesAreCopiedAndVerified() throws Exception {
      String other = LocalStack.unique("expr");
      LocalStack.createDatabase(other);
      try {
        MigrateSpec s = with(AS_VALUES, Map.of("stock.mysql_only", "code ~ '^[A-Z]' OR qty < 10"), LEFT_BEHIND);
        MigrateSpec into = new MigrateSpec(s.header(), s.source(), LocalStack.database(other), "public", s.include(), s.exclude(),
            s.keylessTables(), s.columnTypes(), s.checkConstraints(), s.leaveBehind(), s.copy(), s.sync(), s.verify());
        Migrated migrated = migrate(into);
        assertThat(migrated.verdicts().get("stock").clean()).as("the generated values, copied, equal the source's").isTrue();
        assertThat(migrated.verdicts().get("moves").clean()).isTrue();
        assertThat(migrated.plan().notes()).as("partitioning, not carried, said in the plan")
            .anyMatch(n -> n.startsWith("table moves is partitioned on the source (RANGE (year(`at`)), 2 partitions); PostgreSQL gets one"));
        assertThat(migrated.plan().notes()).anyMatch(n -> n.contains("column stock.total is computed by the source")
            && n.contains("plain numeric(12,2) column"));
        assertThat(migrated.plan().notes()).as("code the source runs, left behind as the runbook says")
            .contains("left on the source, not carried over (leaveBehind): trigger stock_audit on stock, view cheap, procedure restock");
        assertThat(pgRows(other, "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'stock'::regclass AND contype = 'c' ORDER BY 1"))
            .containsExactly(
                List.of("code form", "CHECK ((((code)::text ~~ 'A%'::text) OR ((code)::text = 'it''s `x`'::text)))"),
                List.of("mysql_only", "CHECK ((((code)::text ~ '^[A-Z]'::text) OR (qty < 10)))"),
                List.of("qty_positive", "CHECK ((qty > 0))"));
        assertThat(pgValue(other, "SELECT total || ' ' || label FROM stock WHERE id = 8")).isEqualTo("18.00 q9");
        assertThat(pgValue(other, "SELECT col_description('stock'::regclass, 2)")).as("the column's comment")
            .isEqualTo("the SKU: it's A\\1");
        assertThatThrownBy(() -> LocalStack.sql(other, "UPDATE stock SET qty = 0 WHERE id = 1")).hasMessageContaining("qty_positive");
      } finally {
        LocalStack.dropDatabase(other);
      }
    }

    @Test
    void aMysqlExpressionKeepsItsLiteralsAndQuotesItsNames() {
      assertThat(SchemaConverter.pgExpression("`a``b` = 'x `y` ''z''' and `c` like 'it\\'s a\\\\b\\_%'"))
          .isEqualTo("\"a`b\" = 'x `y` ''z''' and \"c\" like E'it''s a\\\\b\\\\_%'");
    }
  }

  /**
   * The checksum of a range of a table split on one integer key is one hash of its rows' texts in
   * key order, computed by each database: equal data must give equal hashes range by range (else
   * every range is compared row by row, right but slow), and a range whose text is longer than
   * MariaDB's longest string (GROUP_CONCAT is cut there) must still be judged row by row.
   */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class RangeChecksums extends SourceAndTarget {

    RangeChecksums() {
      super("ranges");
    }
    private int firstRangeRows;

    @BeforeAll
    void copy() throws Exception {
      long longest;
      try (Connection c = LocalStack.connectMariadb("");
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT @@max_allowed_packet")) {
        rs.next();
        longest = rs.getLong(1);
      }
      // Rows long enough that the first range's text (5 000 rows) is longer than MariaDB's longest string.
      int bodyBytes = (int) (longest / 5_000 * 5 / 4);
      firstRangeRows = 5_000;
      LocalStack.mariadbSql(
          "",
          "CREATE DATABASE " + source + " CHARACTER SET utf8mb4",
          "USE " + source,
          "CREATE TABLE wide (id INT PRIMARY KEY, body MEDIUMTEXT NOT NULL, at DATETIME(3) NOT NULL, doc JSON)",
          "INSERT INTO wide SELECT seq, CONCAT(seq, REPEAT('é', " + bodyBytes / 2 + ")), '2024-01-01 00:00:00.120' + INTERVAL seq SECOND,"
              + " IF(seq % 2 = 0, NULL, CONCAT('{\"k\": ', seq, ', \"a\": [1.50, \"x;y é\"]}')) FROM seq_1_to_9000",
          // Two JSON columns, either or both NULL, with separators and NULL markers inside.
          "CREATE TABLE docs (id INT PRIMARY KEY, body JSON, meta JSON)",
          "INSERT INTO docs SELECT seq, IF(seq % 5 = 0, NULL, CONCAT('{\"pad\": \"', REPEAT('N;,é', seq % 50),"
              + " '\", \"k\": ', seq, '}')), IF(seq % 3 = 0, NULL, '{\"a\": \"b,c;d\", \"n\": null}') FROM seq_1_to_9000",
          "CREATE TABLE narrow (id BIGINT PRIMARY KEY, name VARCHAR(20), flag TINYINT(1) NOT NULL, amount DECIMAL(9,3),"
              + " at TIMESTAMP(6) NULL, day DATE)",
          "INSERT INTO narrow SELECT seq * 3, IF(seq % 5 = 0, NULL, IF(seq % 7 = 0, '', CONCAT('n;', seq))), seq % 2,"
              + " seq / 8, IF(seq % 4 = 0, NULL, FROM_UNIXTIME(1700000000 + seq) + INTERVAL seq % 1000000 MICROSECOND),"
              + " '2020-02-29' + INTERVAL seq DAY FROM seq_1_to_60000",
          // Dense keys (the first range), sparse ones, then dense again: a range end guessed from
          // the sparse part's keys per row would take every dense row at once.
          "CREATE TABLE gappy (id INT PRIMARY KEY, v INT NOT NULL)",
          "INSERT INTO gappy SELECT seq, seq FROM seq_1_to_5000",
          "INSERT INTO gappy SELECT 5000 + seq * 1000, seq FROM seq_1_to_10000",
          "INSERT INTO gappy SELECT 20000000 + seq, seq FROM seq_1_to_200000",
          "CREATE TABLE busy (id INT PRIMARY KEY, v VARCHAR(20) NOT NULL)",
          "INSERT INTO busy SELECT seq, CONCAT('v', seq) FROM seq_1_to_300000");
      LocalStack.createDatabase(target);
      spec = spec(source, target, KeylessTables.REFUSE, Map.of(), 20_000);
      Migrated migrated = migrate(spec);
      migrated.verdicts().values().forEach(v -> assertThat(v.clean()).as(v.toString()).isTrue());
      plan = migrated.plan();
    }

    @Test
    void equalRangesHashEqualWithoutARowByRowComparison() {
      TableVerifier.Progress p = walk("narrow").progress();
      assertThat(p.ranges()).as("split into ranges").isGreaterThan(2);
      assertThat(p.differingRows()).isZero();
      assertThat(p.rangesByRow()).as("ranges compared row by row").isZero();
    }

    @Test
    void denseKeysArePlannedByArithmeticOnTheEstimateAndSparseOnesByTheirIndex() throws Exception {
      TablePlan busy = plan.tables().stream().filter(t -> t.name().equals("busy")).findFirst().orElseThrow();
      // An estimate of twice the 300 000 rows: 20 000 rows' worth of keys is a span of 10 000.
      TablePlan doubled = new TablePlan(busy.name(), busy.columns(), busy.primaryKey(), busy.chunkKey(), 600_000,
          busy.dataBytes(), busy.createTable(), busy.afterLoad(), busy.foreignKeys(), busy.referencedTables(),
          busy.identityColumn(), busy.nextIdentity());
      List<KeyRange> dense = activities.planChunks(spec, doubled);
      assertThat(dense).hasSize(30);
      assertThat(dense.get(0)).isEqualTo(new KeyRange("", "10000"));
      assertThat(dense.get(29)).isEqualTo(new KeyRange("290000", ""));
      for (int i = 1; i < dense.size(); i++) {
        assertThat(dense.get(i).after()).as("contiguous").isEqualTo(dense.get(i - 1).upTo());
      }

      // Keys three apart: more than 1.25 keys per row, so each range's end is read from the index.
      TablePlan narrow = plan.tables().stream().filter(t -> t.name().equals("narrow")).findFirst().orElseThrow();
      List<KeyRange> walked = activities.planChunks(spec, narrow);
      assertThat(walked).hasSize(4);
      assertThat(walked.get(0)).isEqualTo(new KeyRange("", "60000"));
      assertThat(walked.get(1)).isEqualTo(new KeyRange("60000", "120000"));
      assertThat(walked.get(2)).isEqualTo(new KeyRange("120000", "180000"));
      assertThat(walked.get(3)).as("open above, for keys that come later").isEqualTo(new KeyRange("180000", ""));
    }

    @Test
    void aRangeTheSourceServesSlowlyIsFollowedByAPauseAsLongAsItTook() throws Exception {
      // Short ranges, so the walk is still going when the table is locked after its fifth range. The
      // lock is held 2.5 s and a pause of 1 s looked for: the walk's next statement on the source
      // may come a little after the lock, on a loaded machine.
      VerifyOptions quick = new VerifyOptions(true, Duration.ofMillis(10), spec.verify().maxListedRows());
      // Each pause: when it began (System.nanoTime) and how long it was asked to be, in ms.
      List<long[]> pauses = new java.util.concurrent.CopyOnWriteArrayList<>();
      TableVerifier verifier = new TableVerifier(java.util.concurrent.Executors.newCachedThreadPool(), TableVerifier.Progress.start());
      java.util.concurrent.CompletableFuture<TableVerifier> walking = java.util.concurrent.CompletableFuture.supplyAsync(
          () -> walk("busy", quick, millis -> {
            pauses.add(new long[] {System.nanoTime(), millis});
            Thread.sleep(millis);
          }, verifier));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (verifier.progress().ranges() < 5 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      boolean walkingWhenLocked;
      long lockedAt;
      try (Connection c = LocalStack.connectMariadb(source);
          Statement s = c.createStatement()) {
        s.execute("LOCK TABLES busy WRITE");
        lockedAt = System.nanoTime();
        walkingWhenLocked = !verifier.progress().done();
        Thread.sleep(2_500);
        s.execute("UNLOCK TABLES");
      }
      TableVerifier.Progress p = walking.get(2, java.util.concurrent.TimeUnit.MINUTES).progress();
      assertThat(walkingWhenLocked).as("the table was locked in the middle of the walk").isTrue();
      assertThat(p.differingRows()).isZero();
      assertThat(pauses).as("a pause of a second or more after the lock, for the range it held up")
          .anyMatch(pause -> pause[0] > lockedAt && pause[1] >= 1_000);
    }

    @Test
    void aRangeEndGuessedFromSparseKeysIsCorrectedWhereTheKeysGrowDense() {
      TableVerifier.Progress p = walk("gappy").progress();
      assertThat(p.differingRows()).isZero();
      assertThat(p.sourceRows()).isEqualTo(215_000);
      assertThat(p.ranges()).as("the dense keys after the sparse ones in several ranges, not one").isGreaterThanOrEqualTo(5);
    }

    @Test
    void aRangeLongerThanMariadbsLongestStringIsComparedRowByRowAndTheNextOnesShorter() {
      TableVerifier.Progress p = walk("wide").progress();
      assertThat(p.differingRows()).isZero();
      assertThat(p.rangesByRow()).as("only the first range, whose text was cut").isEqualTo(1);
      assertThat(p.ranges()).isGreaterThan(2);
    }

    @Test
    void twoJsonColumnsWithNullsAndSeparatorsHashEqualRangeByRange() {
      TableVerifier.Progress p = walk("docs").progress();
      assertThat(p.differingRows()).isZero();
      assertThat(p.ranges()).isEqualTo(2);
      assertThat(p.rangesByRow()).as("ranges compared row by row").isZero();
    }

    @Test
    void aDifferenceInEitherJsonColumnIsFound() throws Exception {
      LocalStack.sql(target, "UPDATE docs SET meta = '{\"a\": \"b,c;e\", \"n\": null}' WHERE id = 4001",
          "UPDATE docs SET body = jsonb_set(body, '{k}', '0') WHERE id = 8001");
      try {
        assertThat(walk("docs").progress().listed())
            .containsExactly(
                new RowDifference("4001", RowDifference.Kind.DIFFERENT), new RowDifference("8001", RowDifference.Kind.DIFFERENT));
      } finally {
        LocalStack.sql(target, "UPDATE docs SET meta = '{\"a\": \"b,c;d\", \"n\": null}' WHERE id = 4001",
            "UPDATE docs SET body = jsonb_set(body, '{k}', '8001') WHERE id = 8001");
      }
    }

    /**
     * A range's JSON texts are hashed in key order without their keys, rows without JSON left out:
     * a value moved to a row that had none leaves that sequence as it was, so the rest of the
     * checksum must tell which rows have JSON.
     */
    @Test
    void aJsonValueMovedToARowWithoutOneIsFound() throws Exception {
      // wide: odd ids have doc, even ids none; docs: ids divisible by 15 have neither column.
      LocalStack.sql(target, "UPDATE wide SET doc = (SELECT doc FROM wide WHERE id = 7001) WHERE id = 7002",
          "UPDATE wide SET doc = NULL WHERE id = 7001",
          "UPDATE docs SET (body, meta) = (SELECT body, meta FROM docs WHERE id = 14) WHERE id = 15",
          "UPDATE docs SET body = NULL, meta = NULL WHERE id = 14");
      try {
        assertThat(walk("wide").progress().listed())
            .containsExactly(new RowDifference("7001", RowDifference.Kind.DIFFERENT), new RowDifference("7002", RowDifference.Kind.DIFFERENT));
        assertThat(walk("docs").progress().listed())
            .containsExactly(new RowDifference("14", RowDifference.Kind.DIFFERENT), new RowDifference("15", RowDifference.Kind.DIFFERENT));
      } finally {
        LocalStack.sql(target, "UPDATE wide SET doc = (SELECT doc FROM wide WHERE id = 7002) WHERE id = 7001",
            "UPDATE wide SET doc = NULL WHERE id = 7002",
            "UPDATE docs SET (body, meta) = (SELECT body, meta FROM docs WHERE id = 15) WHERE id = 14",
            "UPDATE docs SET body = NULL, meta = NULL WHERE id = 15");
      }
    }

    @Test
    void aDifferenceInTheCutPartOfARangeIsFound() throws Exception {
      int key = firstRangeRows - 3;
      LocalStack.sql(target, "UPDATE wide SET body = body || '!' WHERE id = " + key);
      try {
        TableVerifier.Progress p = walk("wide").progress();
        assertThat(p.listed()).containsExactly(new RowDifference(String.valueOf(key), RowDifference.Kind.DIFFERENT));
      } finally {
        LocalStack.sql(target, "UPDATE wide SET body = rtrim(body, '!') WHERE id = " + key);
      }
    }

    @Test
    void aChangedJsonValueOrFractionIsFoundInAWholeRange() throws Exception {
      LocalStack.sql(target, "UPDATE narrow SET at = at + interval '1 microsecond' WHERE id = 303",
          "UPDATE wide SET doc = jsonb_set(doc, '{a,0}', '1.5') WHERE id = 7001");
      try {
        assertThat(walk("narrow").progress().listed()).containsExactly(new RowDifference("303", RowDifference.Kind.DIFFERENT));
        assertThat(walk("wide").progress().listed()).containsExactly(new RowDifference("7001", RowDifference.Kind.DIFFERENT));
      } finally {
        LocalStack.sql(target, "UPDATE narrow SET at = at - interval '1 microsecond' WHERE id = 303",
            "UPDATE wide SET doc = jsonb_set(doc, '{a,0}', '1.50') WHERE id = 7001");
      }
    }
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class DeltaSync {

    private final String source = LocalStack.unique("sync");

    @BeforeAll
    void create() throws Exception {
      LocalStack.mariadbSql("", "CREATE DATABASE " + source + " CHARACTER SET utf8mb4");
    }

    @AfterAll
    void drop() throws Exception {
      LocalStack.mariadbSql("", "DROP DATABASE IF EXISTS " + source);
    }

    private void fill() throws Exception {
      LocalStack.mariadbSql(
          source,
          "DROP TABLE IF EXISTS items, tags",
          "CREATE TABLE items (id INT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(40) NOT NULL, qty INT,"
              + " updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6))",
          "INSERT INTO items (id, name, qty, updated_at) SELECT seq, CONCAT('item ', seq), seq % 7,"
              + " '2024-01-01' + INTERVAL seq SECOND FROM seq_1_to_20000",
          "CREATE TABLE tags (item_id INT, tag VARCHAR(10))",
          "INSERT INTO tags SELECT seq, 'a' FROM seq_1_to_300");
    }

    /** Writes of the application: some in ranges already copied, some in ranges not yet copied. */
    private static final String[] DURING = {
      "UPDATE items SET qty = 99 WHERE id IN (10, 11, 15000)",
      "DELETE FROM items WHERE id IN (12, 16000)",
      "INSERT INTO items (name, qty) VALUES ('new during', 1)",
      "INSERT INTO tags VALUES (1, 'during')",
    };
    private static final String[] AFTER = {
      "UPDATE items SET name = 'renamed 😀' WHERE id = 13",
      "DELETE FROM items WHERE id = 14",
      "INSERT INTO items (id, name, qty) VALUES (50000, 'new after', NULL)",
      "DELETE FROM tags WHERE item_id = 2",
    };

    private Migrated copyWhileTheSourceChanges(MigrateSpec spec) throws Exception {
      SchemaPlan plan = activities.convertSchema(spec);
      activities.createTables(spec, plan, MARKER);
      for (TablePlan t : plan.tables()) {
        List<KeyRange> ranges = activities.planChunks(spec, t);
        for (int i = 0; i < ranges.size(); i++) {
          activities.copyChunk(new ChunkCopyRequest(spec, t, ranges.get(i)));
          if (t.name().equals("items") && i == 1) {
            LocalStack.mariadbSql(source, DURING);
          }
        }
      }
      plan.tables().forEach(t -> activities.buildIndexes(spec, t));
      LocalStack.mariadbSql(source, AFTER);
      return new Migrated(plan, Map.of());
    }

    private MigrateSpec spec(String target, Map<String, String> watermarks) {
      MigrateSpec s = MigrateActivitiesTest.spec(source, target, KeylessTables.COPY_WHOLE, Map.of(), 4_000);
      return new MigrateSpec(s.header(), s.source(), s.target(), "public", List.of(), List.of(), KeylessTables.COPY_WHOLE,
          Map.of(), Map.of(), List.of(), s.copy(), new SyncOptions(true, watermarks, Duration.ofMinutes(1)), s.verify());
    }

    private void syncAndVerify(Map<String, String> watermarks, long upserted) throws Exception {
      fill();
      String target = LocalStack.unique("sync");
      LocalStack.createDatabase(target);
      try {
        MigrateSpec spec = spec(target, watermarks);
        SchemaPlan plan = copyWhileTheSourceChanges(spec).plan();
        assertThat(verify(spec, plan).get("items").clean()).as("the copy alone misses the writes").isFalse();

        Map<String, SyncResult> synced = new LinkedHashMap<>();
        plan.tables().forEach(t -> synced.put(t.name(), activities.syncTable(new SyncRequest(spec, t, plan.sourceTime()))));

        assertThat(synced.get("items").upserted()).isEqualTo(upserted);
        assertThat(synced.get("items").deleted()).as("12 deleted during the copy, 14 after").isEqualTo(2);
        assertThat(synced.get("tags").upserted()).as("a table without a key is replaced whole").isEqualTo(300);
        verify(spec, plan).values().forEach(v -> assertThat(v.clean()).as(v.toString()).isTrue());
        assertThat(pgValue(target, "SELECT name FROM items WHERE id = 13")).isEqualTo("renamed 😀");
        assertThat(pgValue(target, "SELECT to_char(updated_at, 'YYYY') FROM items WHERE id = 20")).as("the trigger kept the source's time").isEqualTo("2024");

        SyncResult again = activities.syncTable(new SyncRequest(spec, plan.tables().get(0), plan.sourceTime()));
        assertThat(again.deleted()).as("a replayed sync deletes nothing more").isZero();
        verify(spec, plan).values().forEach(v -> assertThat(v.clean()).isTrue());
      } finally {
        LocalStack.dropDatabase(target);
      }
    }

    @Test
    void rangeComparisonCatchesInsertsUpdatesAndDeletesDuringAndAfterTheCopy() throws Exception {
      // 10 and 11 updated in a range already copied, 13 renamed and 50000 inserted after: 15000,
      // 16000 and the row inserted during the copy were in ranges copied later, so they are right.
      syncAndVerify(Map.of(), 4);
    }

    @Test
    void aWatermarkFindsTheChangedRowsAndTheKeysFindTheDeletedOnes() throws Exception {
      // The watermark finds every row whose updated_at is after the copy began (10, 11, 15000, 13 and
      // the two inserted), but only those the copy had wrong are written: 10, 11, 13 and 50000, as
      // the range comparison finds; rewriting the others would only leave dead rows behind.
      syncAndVerify(Map.of("items", "updated_at"), 4);
    }
  }

  /**
   * Tables split on something other than a single integer key: a key of several columns, the first
   * an integer, split on that column (a range holds whole groups of rows sharing its value); a
   * binary key (UUIDs' bytes), split on its bytes. Copied, verified and repaired range by range.
   */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class OtherKeys extends ChangingSource {

    OtherKeys() {
      super("composite");
    }

    /** Orders of 1 to 11 lines, a sensor's readings at microsecond times, keys led by text, UUIDs and their events. */
    @Override
    List<String> tables() {
      return List.of(
          "CREATE TABLE order_items (order_id INT NOT NULL, line_no SMALLINT NOT NULL, sku VARCHAR(20) NOT NULL, qty INT,"
              + " doc JSON, PRIMARY KEY (order_id, line_no))",
          "INSERT INTO order_items SELECT o.seq, l.seq, CONCAT('sku ', o.seq, '-', l.seq), IF(l.seq = 3, NULL, l.seq),"
              + " IF(l.seq % 2 = 0, NULL, CONCAT('{\"b\": ', l.seq, ', \"a\": \"é\"}'))"
              + " FROM seq_1_to_5000 o JOIN seq_1_to_11 l ON l.seq <= 1 + o.seq % 11",
          "CREATE TABLE readings (sensor_id INT NOT NULL, at DATETIME(6) NOT NULL, v DECIMAL(8,3) NOT NULL,"
              + " PRIMARY KEY (sensor_id, at))",
          "INSERT INTO readings SELECT s.seq, '2024-01-01 00:00:00.5' + INTERVAL r.seq SECOND, r.seq / 8"
              + " FROM seq_1_to_40 s JOIN seq_1_to_300 r",
          // Within an order, utf8mb4_unicode_ci reads a1 B2 é3, PostgreSQL's byte order B2 a1 é3.
          "CREATE TABLE labels (order_id INT NOT NULL, code VARCHAR(20) COLLATE utf8mb4_unicode_ci NOT NULL, qty INT NOT NULL,"
              + " PRIMARY KEY (order_id, code))",
          "INSERT INTO labels SELECT o.seq, ELT(l.seq, 'a1', 'B2', 'é3'), o.seq + l.seq FROM seq_1_to_12000 o JOIN seq_1_to_3 l",
          "CREATE TABLE notes (order_id INT NOT NULL, code VARCHAR(20) NOT NULL, body VARCHAR(40) NOT NULL, PRIMARY KEY (order_id, code))",
          "INSERT INTO notes SELECT o.seq, CONCAT('n', l.seq), 'x' FROM seq_1_to_12000 o JOIN seq_1_to_2 l",
          "CREATE TABLE pairs (id INT NOT NULL, a VARCHAR(5) NOT NULL, b VARCHAR(5) NOT NULL, PRIMARY KEY (id, a, b))",
          "INSERT INTO pairs VALUES (1, 'x,y', 'z'), (1, 'x', 'y,z')",
          "CREATE TABLE tagged (name VARCHAR(20) NOT NULL, id INT NOT NULL, PRIMARY KEY (name, id))",
          "INSERT INTO tagged SELECT CONCAT('t', seq % 700), seq FROM seq_1_to_36000",
          // A tenant's rows: utf8mb4_unicode_ci reads a3 B1 é2, PostgreSQL's byte order B1 a3 é2.
          "CREATE TABLE tenant_items (tenant VARCHAR(20) COLLATE utf8mb4_unicode_ci NOT NULL, id INT NOT NULL, qty INT NOT NULL,"
              + " PRIMARY KEY (tenant, id))",
          "INSERT INTO tenant_items SELECT CONCAT(ELT(t.seq % 3 + 1, 'a', 'B', 'é'), t.seq), i.seq, t.seq + i.seq"
              + " FROM seq_1_to_9000 t JOIN seq_1_to_4 i",
          "CREATE TABLE session_events (session_id BINARY(16) NOT NULL, seq INT NOT NULL, kind VARCHAR(10),"
              + " PRIMARY KEY (session_id, seq))",
          "INSERT INTO session_events SELECT UNHEX(MD5(s.seq)), e.seq, IF(e.seq = 2, NULL, CONCAT('k', s.seq))"
              + " FROM seq_1_to_12000 s JOIN seq_1_to_3 e",
          "CREATE TABLE sessions (id BINARY(16) PRIMARY KEY, user_id INT NOT NULL, note VARCHAR(20))",
          "INSERT INTO sessions SELECT UNHEX(MD5(seq)), seq, IF(seq % 4 = 0, NULL, CONCAT('n', seq)) FROM seq_1_to_30000");
    }

    @BeforeAll
    void copy() throws Exception {
      Migrated migrated = copyClean(4_000);
      assertThat(migrated.verdicts().get("order_items").ranges()).as("lines verified in ranges").isGreaterThan(2);
      assertThat(migrated.verdicts().get("sessions").ranges()).as("sessions verified in ranges").isGreaterThan(2);
      assertThat(migrated.verdicts().get("labels").ranges()).as("labels verified in ranges").isGreaterThan(2);
      assertThat(migrated.verdicts().get("tenant_items").ranges()).as("tenants verified in ranges").isGreaterThan(2);
    }

    @Test
    void aKeyLedByAnIntegerIsSplitOnItsFirstColumn() {
      assertThat(table("order_items").chunkKey()).isEqualTo("order_id");
      assertThat(table("readings").chunkKey()).isEqualTo("sensor_id");

      List<KeyRange> ranges = activities.planChunks(spec, table("order_items"));
      assertThat(ranges).as("about 30 000 lines in ranges of 4 000").hasSizeGreaterThan(5);
      for (int i = 1; i < ranges.size() - 1; i++) {
        assertThat(Long.parseLong(ranges.get(i).upTo())).as("range ends increase").isGreaterThan(Long.parseLong(ranges.get(i).after()));
      }
    }

    /**
     * An integer followed by one text column: split on the integer, so a range holds the same rows on
     * both sides; the text orders them otherwise within an order where the collations differ, so
     * such a range is compared row by row in any order, one whose order agrees hashed whole. Two
     * text columns are not split: their key text would be ambiguous ({@code 1,x,y,z}).
     */
    @Test
    void aKeyOfAnIntegerAndOneTextColumnIsSplitOnTheInteger() throws Exception {
      assertThat(table("labels").chunkKey()).isEqualTo("order_id");
      assertThat(table("labels").orderedAlike()).isFalse();
      assertThat(table("order_items").orderedAlike()).isTrue();
      assertThat(table("pairs").chunked()).isFalse();
      assertThat(plan.notes()).anyMatch(n -> n.contains("pairs is copied and verified in one piece"));
      assertThat(pgValue(target, "SELECT count(*) FROM pairs")).isEqualTo("2");

      TableVerifier.Progress labels = walk("labels").progress();
      assertThat(labels.ranges()).isGreaterThan(2);
      assertThat(labels.differingRows()).isZero();
      assertThat(labels.rangesByKeys()).as("a1 B2 é3 against B2 a1 é3: each range row by row").isEqualTo(labels.ranges());
      TableVerifier.Progress notes = walk("notes").progress();
      assertThat(notes.ranges()).isGreaterThan(2);
      assertThat(notes.rangesByKeys()).as("n1 n2 in both orders: each range hashed whole").isZero();

      assertListed(
          "labels",
          List.of("UPDATE labels SET qty = 0 WHERE order_id = 2500 AND code = 'B2'", "DELETE FROM labels WHERE order_id = 2500 AND code = 'a1'",
              "INSERT INTO labels VALUES (2500, 'A1', 1)"),
          List.of("UPDATE labels SET qty = 2502 WHERE order_id = 2500 AND code = 'B2'", "DELETE FROM labels WHERE order_id = 2500 AND code = 'A1'",
              "INSERT INTO labels VALUES (2500, 'a1', 2501)"),
          new RowDifference("2500,B2", RowDifference.Kind.DIFFERENT),
          new RowDifference("2500,a1", RowDifference.Kind.MISSING_IN_TARGET),
          // The source's collation holds a1 for A1; as exact strings, A1 is not the source's.
          new RowDifference("2500,A1", RowDifference.Kind.EXTRA_IN_TARGET));
    }

    /**
     * A text column followed by integers (a tenant and its rows' ids): split on the text, in ranges
     * of the source's collation order holding whole tenants; the target finds a range's rows by the
     * source's tenants in it, and rows of a tenant the source does not hold (as exact strings) by
     * counting, each listed by its whole key.
     */
    @Test
    void aKeyLedByTextIsSplitOnTheText() throws Exception {
      assertThat(table("tagged").chunkKey()).isEqualTo("name");
      assertThat(table("tenant_items").chunkKey()).isEqualTo("tenant");
      assertThat(table("tenant_items").textChunks()).isTrue();
      assertThat(table("tenant_items").orderedAlike()).isFalse();
      assertThat(TableVerifier.hasKeySets(table("tenant_items"))).as("key sets are of one column").isFalse();
      List<KeyRange> ranges = activities.planChunks(spec, table("tenant_items"));
      assertThat(ranges).as("36 000 rows in ranges of 4 000").hasSizeGreaterThan(5);
      assertThat(ranges.get(0).upTo()).as("a bound is the tenant's UTF-8 in hex").matches("t([0-9a-f]{2})+");

      TableVerifier.Progress tagged = walk("tagged").progress();
      assertThat(tagged.ranges()).isGreaterThan(2);
      assertThat(tagged.differingRows()).isZero();
      assertThat(tagged.rangesByKeys()).as("t1 t10 t100 in both orders: each range hashed whole").isZero();
      TableVerifier.Progress tenants = walk("tenant_items").progress();
      assertThat(tenants.differingRows()).isZero();
      assertThat(tenants.targetRows()).isEqualTo(36_000);
      assertThat(tenants.rangesByKeys()).as("a3 B1 é2 against B1 a3 é2: each range by its tenants").isEqualTo(tenants.ranges());

      assertListed(
          "tenant_items",
          List.of("UPDATE tenant_items SET qty = 0 WHERE tenant = 'B1000' AND id = 2", "DELETE FROM tenant_items WHERE tenant = 'a999' AND id = 1",
              "INSERT INTO tenant_items VALUES ('B1000', 9, 1), ('b1000', 1, 1), ('zz, last', 1, 1), ('zz, last', 2, 1)"),
          List.of("UPDATE tenant_items SET qty = 1002 WHERE tenant = 'B1000' AND id = 2", "INSERT INTO tenant_items VALUES ('a999', 1, 1000)",
              "DELETE FROM tenant_items WHERE (tenant, id) IN (('B1000', 9), ('b1000', 1)) OR tenant = 'zz, last'"),
          new RowDifference("B1000,2", RowDifference.Kind.DIFFERENT),
          new RowDifference("a999,1", RowDifference.Kind.MISSING_IN_TARGET),
          new RowDifference("B1000,9", RowDifference.Kind.EXTRA_IN_TARGET),
          // The source's collation holds B1000 for b1000; as exact strings, b1000 is not the source's.
          new RowDifference("b1000,1", RowDifference.Kind.EXTRA_IN_TARGET),
          new RowDifference("zz, last,1", RowDifference.Kind.EXTRA_IN_TARGET),
          new RowDifference("zz, last,2", RowDifference.Kind.EXTRA_IN_TARGET));
    }

    @Test
    void aBinaryKeyIsSplitOnItsBytes() throws Exception {
      assertThat(table("sessions").chunkKey()).isEqualTo("id");
      List<KeyRange> ranges = activities.planChunks(spec, table("sessions"));
      assertThat(ranges).as("30 000 sessions in ranges of 4 000").hasSizeGreaterThan(5);
      for (int i = 1; i < ranges.size() - 1; i++) {
        assertThat(ranges.get(i).upTo()).as("the bytes of range ends increase").matches("x[0-9a-f]{32}")
            .isGreaterThan(ranges.get(i).after());
      }
    }

    /** A UUID's bytes followed by an integer: split on the bytes, which both engines order alike. */
    @Test
    void aKeyLedByBytesIsSplitOnTheBytes() throws Exception {
      assertThat(table("session_events").chunkKey()).isEqualTo("session_id");
      assertThat(table("session_events").binaryChunks()).isTrue();
      assertThat(table("session_events").orderedAlike()).isTrue();
      assertThat(TableVerifier.hasKeySets(table("session_events"))).as("key sets are of one column").isFalse();
      assertThat(activities.planChunks(spec, table("session_events"))).as("36 000 events in ranges of 4 000").hasSizeGreaterThan(5);
      TableVerifier.Progress events = walk("session_events").progress();
      assertThat(events.ranges()).isGreaterThan(2);
      assertThat(events.differingRows()).isZero();
      assertThat(events.rangesByKeys()).as("bytes in the same order on both sides: each range hashed whole").isZero();

      // MD5('7') and MD5('8'): sessions 7 and 8.
      assertListed(
          "session_events",
          List.of("UPDATE session_events SET kind = 'changed' WHERE session_id = decode(md5('7'), 'hex') AND seq = 1",
              "DELETE FROM session_events WHERE session_id = decode(md5('8'), 'hex') AND seq = 3",
              "INSERT INTO session_events VALUES (decode(md5('8'), 'hex'), 9, 'x')"),
          List.of("UPDATE session_events SET kind = 'k7' WHERE session_id = decode(md5('7'), 'hex') AND seq = 1",
              "INSERT INTO session_events VALUES (decode(md5('8'), 'hex'), 3, 'k8')",
              "DELETE FROM session_events WHERE session_id = decode(md5('8'), 'hex') AND seq = 9"),
          new RowDifference("8f14e45fceea167a5a36dedd4bea2543,1", RowDifference.Kind.DIFFERENT),
          new RowDifference("c9f0f895fb98ab9159f51fd0297e236d,3", RowDifference.Kind.MISSING_IN_TARGET),
          new RowDifference("c9f0f895fb98ab9159f51fd0297e236d,9", RowDifference.Kind.EXTRA_IN_TARGET));
    }

    @Test
    void aDifferenceIsListedWithTheWholeKey() throws Exception {
      LocalStack.sql(target,
          "UPDATE order_items SET qty = 0 WHERE order_id = 2500 AND line_no = 2",
          "DELETE FROM order_items WHERE order_id = 2500 AND line_no = 1",
          "UPDATE readings SET at = at + interval '1 second' WHERE sensor_id = 7 AND at = '2024-01-01 00:05:00.5'",
          "UPDATE sessions SET note = 'changed' WHERE user_id = 7", "DELETE FROM sessions WHERE user_id = 8");
      try {
        TableVerification lines = activities.verifyTable(spec, table("order_items"));
        assertThat(lines.differences()).containsExactlyInAnyOrder(
            new RowDifference("2500,2", RowDifference.Kind.DIFFERENT),
            new RowDifference("2500,1", RowDifference.Kind.MISSING_IN_TARGET));
        assertThat(lines.rangesByRow()).as("the one range holding order 2500, compared row by row").isEqualTo(1);
        TableVerification readings = activities.verifyTable(spec, table("readings"));
        assertThat(readings.differences()).containsExactlyInAnyOrder(
            new RowDifference("7,2024-01-01 00:05:00.5", RowDifference.Kind.MISSING_IN_TARGET),
            new RowDifference("7,2024-01-01 00:05:01.5", RowDifference.Kind.EXTRA_IN_TARGET));
        // A binary key in hex: MD5('7') and MD5('8'), the keys of sessions 7 and 8.
        assertThat(activities.verifyTable(spec, table("sessions")).differences()).containsExactlyInAnyOrder(
            new RowDifference("8f14e45fceea167a5a36dedd4bea2543", RowDifference.Kind.DIFFERENT),
            new RowDifference("c9f0f895fb98ab9159f51fd0297e236d", RowDifference.Kind.MISSING_IN_TARGET));
      } finally {
        LocalStack.sql(target,
            "UPDATE order_items SET qty = 2 WHERE order_id = 2500 AND line_no = 2",
            "INSERT INTO order_items VALUES (2500, 1, 'sku 2500-1', 1, '{\"a\": \"é\", \"b\": 1}')",
            "UPDATE readings SET at = at - interval '1 second' WHERE sensor_id = 7 AND at = '2024-01-01 00:05:01.5'",
            "UPDATE sessions SET note = 'n7' WHERE user_id = 7", "INSERT INTO sessions VALUES ('\\xc9f0f895fb98ab9159f51fd0297e236d', 8, NULL)");
      }
      for (String table : List.of("order_items", "readings", "sessions")) {
        assertThat(activities.verifyTable(spec, table(table)).clean()).as(table + " clean again once reverted").isTrue();
      }
    }

    @Test
    void theKeySetsOfABinaryKeyAgreeAndTellAKeyOfOtherBytes() throws Exception {
      assertThat(keySets("sessions").same()).isTrue();
      LocalStack.sql(target, "UPDATE sessions SET id = '\\x00000000000000000000000000000008' WHERE user_id = 8");
      try {
        TableVerifier.KeySets sets = keySets("sessions");
        assertThat(sets.same()).as("as many keys, one of other bytes").isFalse();
        assertThat(sets.targetRows()).isEqualTo(sets.sourceRows());
      } finally {
        LocalStack.sql(target, "UPDATE sessions SET id = '\\xc9f0f895fb98ab9159f51fd0297e236d' WHERE user_id = 8");
      }
      assertThat(keySets("sessions").same()).isTrue();
    }

    @Test
    void theDeltaSyncRepairsRowsByTheirWholeKey() throws Exception {
      onASecondCopy(4_000, (changed, copy, s, plan) -> {
        LocalStack.mariadbSql(
            changed,
            "UPDATE order_items SET sku = 'renamed 😀' WHERE order_id = 100 AND line_no = 2",
            "DELETE FROM order_items WHERE order_id = 4000 AND line_no = 1",
            "INSERT INTO order_items VALUES (100, 12, 'added', 1, NULL), (6000, 1, 'new order', 2, '{\"x\": []}')",
            "UPDATE sessions SET note = 'renamed' WHERE user_id = 100", "DELETE FROM sessions WHERE user_id = 200",
            "INSERT INTO sessions VALUES (UNHEX(MD5('new')), 30001, NULL)");
        TablePlan lines = plan.tables().stream().filter(t -> t.name().equals("order_items")).findFirst().orElseThrow();
        assertThat(activities.verifyTable(s, lines).differingRows()).as("the source changed after the copy").isEqualTo(4);

        SyncResult synced = activities.syncTable(new SyncRequest(s, lines, plan.sourceTime()));

        assertThat(synced.upserted()).as("one renamed, two added").isEqualTo(3);
        assertThat(synced.deleted()).isEqualTo(1);
        assertThat(activities.verifyTable(s, lines).clean()).isTrue();
        assertThat(pgValue(copy, "SELECT sku FROM order_items WHERE order_id = 100 AND line_no = 2")).isEqualTo("renamed 😀");
        assertThat(pgValue(copy, "SELECT count(*) FROM order_items WHERE order_id = 100")).as("the other lines of order 100 kept").isEqualTo("3");

        TablePlan sessions = plan.tables().stream().filter(t -> t.name().equals("sessions")).findFirst().orElseThrow();
        SyncResult bytes = activities.syncTable(new SyncRequest(s, sessions, plan.sourceTime()));
        assertThat(bytes.upserted()).as("one renamed, one added").isEqualTo(2);
        assertThat(bytes.deleted()).isEqualTo(1);
        assertThat(activities.verifyTable(s, sessions).clean()).isTrue();

        LocalStack.mariadbSql(
            changed,
            "UPDATE labels SET qty = -1 WHERE order_id = 100 AND code = 'B2'",
            "DELETE FROM labels WHERE order_id = 4000 AND code = 'a1'",
            "INSERT INTO labels VALUES (100, 'Zz added', 7)");
        TablePlan labels = plan.tables().stream().filter(t -> t.name().equals("labels")).findFirst().orElseThrow();
        SyncResult labelsSynced = activities.syncTable(new SyncRequest(s, labels, plan.sourceTime()));
        assertThat(labelsSynced.upserted()).as("one changed, one added").isEqualTo(2);
        assertThat(labelsSynced.deleted()).isEqualTo(1);
        assertThat(activities.verifyTable(s, labels).clean()).isTrue();
        assertThat(pgValue(copy, "SELECT string_agg(code || '=' || qty, ' ' ORDER BY code) FROM labels WHERE order_id = 100"))
            .isEqualTo("B2=-1 Zz added=7 a1=101 é3=103");

        LocalStack.mariadbSql(
            changed,
            "UPDATE tenant_items SET qty = -1 WHERE tenant = 'é2' AND id = 1",
            "DELETE FROM tenant_items WHERE tenant = 'a2997' AND id = 4",
            "DELETE FROM tenant_items WHERE tenant = 'B4'",
            "INSERT INTO tenant_items VALUES ('é2', 5, 7), ('new, tenant', 1, 8)");
        TablePlan tenants = plan.tables().stream().filter(t -> t.name().equals("tenant_items")).findFirst().orElseThrow();
        SyncResult tenantsSynced = activities.syncTable(new SyncRequest(s, tenants, plan.sourceTime()));
        assertThat(tenantsSynced.upserted()).as("one changed, two added").isEqualTo(3);
        assertThat(tenantsSynced.deleted()).as("one row, and a whole tenant of four").isEqualTo(5);
        assertThat(activities.verifyTable(s, tenants).clean()).isTrue();
        assertThat(pgValue(copy, "SELECT string_agg(id || '=' || qty, ' ' ORDER BY id) FROM tenant_items WHERE tenant = 'é2'"))
            .isEqualTo("1=-1 2=4 3=5 4=6 5=7");
        assertThat(pgValue(copy, "SELECT count(*) FROM tenant_items WHERE tenant IN ('new, tenant', 'B4')")).isEqualTo("1");

        LocalStack.mariadbSql(
            changed,
            "UPDATE session_events SET kind = 'renamed' WHERE session_id = UNHEX(MD5(100)) AND seq = 1",
            "DELETE FROM session_events WHERE session_id = UNHEX(MD5(200)) AND seq = 2",
            "INSERT INTO session_events VALUES (UNHEX(MD5(100)), 4, 'added'), (UNHEX(MD5('new')), 1, NULL)");
        TablePlan events = plan.tables().stream().filter(t -> t.name().equals("session_events")).findFirst().orElseThrow();
        SyncResult eventsSynced = activities.syncTable(new SyncRequest(s, events, plan.sourceTime()));
        assertThat(eventsSynced.upserted()).as("one renamed, two added").isEqualTo(3);
        assertThat(eventsSynced.deleted()).isEqualTo(1);
        assertThat(activities.verifyTable(s, events).clean()).isTrue();
        assertThat(pgValue(copy, "SELECT string_agg(seq || '=' || coalesce(kind, '-'), ' ' ORDER BY seq) FROM session_events"
            + " WHERE session_id = decode(md5('100'), 'hex')")).isEqualTo("1=renamed 2=- 3=k100 4=added");
      });
    }
  }

  /**
   * Tables split on a text key, in ranges of the source's collation order: mixed-case codes, whose
   * order under utf8mb4_unicode_ci (case-insensitive) is not PostgreSQL's byte order, UUIDs in
   * {@code char(36)}, and keys in utf8mb3, latin1, ascii, cp1251, sjis and ucs2. The target finds a range's rows by the
   * source's keys, and a row of a key the source does not hold by counting.
   */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class TextKeys extends ChangingSource {

    TextKeys() {
      super("textkeys");
    }

    /** B000001, a000002, B000003...: all a-codes first in the source's order, all B-codes first in PostgreSQL's. */
    @Override
    List<String> tables() {
      return List.of(
          "CREATE TABLE codes (code VARCHAR(40) COLLATE utf8mb4_unicode_ci NOT NULL PRIMARY KEY, qty INT NOT NULL,"
              + " note VARCHAR(20), doc JSON)",
          "INSERT INTO codes SELECT CONCAT(IF(seq % 2 = 0, 'a', 'B'), LPAD(seq, 6, '0')), seq, IF(seq % 5 = 0, NULL, 'n'),"
              + " IF(seq % 3 = 0, CONCAT('{\"q\": ', seq, ', \"a\": [1, 2]}'), NULL) FROM seq_1_to_24000",
          "INSERT INTO codes VALUES ('it''s', 1, NULL, NULL), ('back\\\\slash', 2, NULL, NULL), ('emoji 😀', 3, 'é', '{}'),"
              + " ('comma,key', 4, NULL, NULL), ('', 5, 'empty key', NULL), ('Ünïcode', 6, NULL, NULL)",
          "CREATE TABLE tokens (token VARCHAR(32) NOT NULL PRIMARY KEY, n INT NOT NULL, doc JSON)",
          "INSERT INTO tokens SELECT MD5(seq), seq, IF(seq % 4 = 0, '{\"n\": 1}', NULL) FROM seq_1_to_20000",
          "CREATE TABLE legacy (code VARCHAR(20) CHARACTER SET utf8mb3 COLLATE utf8mb3_general_ci NOT NULL PRIMARY KEY,"
              + " v INT NOT NULL)",
          "INSERT INTO legacy SELECT CONCAT(IF(seq % 2 = 0, 'é', 'E'), LPAD(seq, 6, '0')), seq FROM seq_1_to_20000",
          // latin1_swedish_ci puts Ä after z, PostgreSQL's byte order € (0x80 in latin1) after Ä.
          "CREATE TABLE latin (code VARCHAR(20) CHARACTER SET latin1 COLLATE latin1_swedish_ci NOT NULL PRIMARY KEY,"
              + " v INT NOT NULL)",
          "INSERT INTO latin SELECT CONCAT(ELT(seq % 4 + 1, 'Ä', 'z', 'a', '€'), LPAD(seq, 6, '0')), seq FROM seq_1_to_20000",
          // Accent-insensitive: é000001 e000002 é000003 in the source's order, every é after every e in PostgreSQL's.
          "CREATE TABLE stamped (code VARCHAR(20) COLLATE utf8mb4_unicode_ci NOT NULL PRIMARY KEY, v INT NOT NULL,"
              + " updated_at DATETIME(6) NOT NULL)",
          "INSERT INTO stamped SELECT CONCAT(IF(seq % 2 = 0, 'e', 'é'), LPAD(seq, 6, '0')), seq, '2024-01-01' FROM seq_1_to_20000",
          // Each set's case- or accent-insensitive order interleaves keys PostgreSQL's byte order keeps apart
          // (sjis: JIS order puts 亜 before 一, Unicode after it; half-width ｶ is one byte).
          "CREATE TABLE cyrillic (code VARCHAR(20) CHARACTER SET cp1251 COLLATE cp1251_general_ci NOT NULL PRIMARY KEY,"
              + " v INT NOT NULL)",
          "INSERT INTO cyrillic SELECT CONCAT(ELT(seq % 4 + 1, 'Ж', 'z', 'а', 'Ё'), LPAD(seq, 6, '0')), seq FROM seq_1_to_20000",
          "CREATE TABLE japanese (code VARCHAR(20) CHARACTER SET sjis COLLATE sjis_japanese_ci NOT NULL PRIMARY KEY,"
              + " v INT NOT NULL)",
          "INSERT INTO japanese SELECT CONCAT(ELT(seq % 4 + 1, 'ｶ', 'Z', '亜', '一'), LPAD(seq, 6, '0')), seq FROM seq_1_to_20000",
          "CREATE TABLE wide (code VARCHAR(20) CHARACTER SET ucs2 COLLATE ucs2_general_ci NOT NULL PRIMARY KEY, v INT NOT NULL)",
          "INSERT INTO wide SELECT CONCAT(ELT(seq % 4 + 1, 'É', 'z', 'e', 'Ω'), LPAD(seq, 6, '0')), seq FROM seq_1_to_20000",
          "CREATE TABLE plain (code VARCHAR(12) CHARACTER SET ascii NOT NULL PRIMARY KEY, v INT NOT NULL)",
          "INSERT INTO plain SELECT CONCAT(IF(seq % 2 = 0, 'x', 'Y'), LPAD(seq, 6, '0')), seq FROM seq_1_to_20000",
          "CREATE TABLE uuids (id CHAR(36) NOT NULL PRIMARY KEY, n INT NOT NULL)",
          "INSERT INTO uuids SELECT IF(seq % 3 = 0, UPPER(u), u), seq FROM (SELECT seq, CONCAT_WS('-', SUBSTR(MD5(seq), 1, 8),"
              + " SUBSTR(MD5(seq), 9, 4), SUBSTR(MD5(seq), 13, 4), SUBSTR(MD5(seq), 17, 4), SUBSTR(MD5(seq), 21, 12)) AS u"
              + " FROM seq_1_to_20000) x");
    }

    @BeforeAll
    void copy() throws Exception {
      Migrated migrated = copyClean(3_000);
      migrated.verdicts().values().forEach(v -> assertThat(v.ranges()).as(v.table() + " verified in ranges").isGreaterThan(2));
      assertThat(migrated.verdicts().get("codes").targetRows()).isEqualTo(24_006);
    }

    @Test
    void aTextKeyIsSplitInRangesOfTheSourcesOrder() throws Exception {
      assertThat(table("codes").textChunks()).isTrue();
      assertThat(table("uuids").textChunks()).isTrue();
      assertThat(table("legacy").textChunks()).as("a utf8mb3 key: its bytes are UTF-8 too").isTrue();
      List<KeyRange> ranges = activities.planChunks(spec, table("codes"));
      assertThat(ranges).as("24 006 codes in ranges of 3 000").hasSize(9);
      assertThat(ranges.get(0).upTo()).as("a bound is the key's UTF-8 in hex").matches("t([0-9a-f]{2})+");
      try (Connection my = LocalStack.connectMariadb(source);
          Statement st = my.createStatement();
          ResultSet rs = st.executeQuery("SELECT CONCAT('t', LOWER(HEX(code))) FROM codes ORDER BY code LIMIT 1 OFFSET 2999")) {
        rs.next();
        assertThat(rs.getString(1)).as("the first range ends at the 3 000th key in the source's order").isEqualTo(ranges.get(0).upTo());
      }
      assertThat(pgValue(target, "SELECT count(*) FROM codes")).isEqualTo("24006");

      assertThat(table("latin").textChunks()).as("a latin1 key: its bounds are its text in UTF-8").isTrue();
      assertThat(table("plain").textChunks()).as("an ascii key").isTrue();
      List<KeyRange> latin = activities.planChunks(spec, table("latin"));
      assertThat(latin).as("20 000 keys in ranges of 3 000").hasSize(7);
      try (Connection my = LocalStack.connectMariadb(source);
          Statement st = my.createStatement();
          ResultSet rs = st.executeQuery("SELECT code FROM latin ORDER BY code LIMIT 1 OFFSET 2999")) {
        rs.next();
        assertThat(latin.get(0).upTo()).as("the 3 000th key in the source's order, in UTF-8").isEqualTo(bound(rs.getString(1)));
      }
    }

    @Test
    void aDifferenceIsListedByKeyAndARowOfAKeyTheSourceLacksIsFound() throws Exception {
      assertListed(
          "codes",
          List.of("UPDATE codes SET qty = -1 WHERE code = 'a000002'", "DELETE FROM codes WHERE code = 'B000003'",
              "UPDATE codes SET note = 'x' WHERE code = 'emoji 😀'",
              "INSERT INTO codes VALUES ('A000002', 2, 'n', NULL), ('zz extra', 1, NULL, NULL)"),
          List.of("UPDATE codes SET qty = 2 WHERE code = 'a000002'", "INSERT INTO codes VALUES ('B000003', 3, 'n', '{\"a\": [1, 2], \"q\": 3}')",
              "UPDATE codes SET note = 'é' WHERE code = 'emoji 😀'", "DELETE FROM codes WHERE code IN ('A000002', 'zz extra')"),
          new RowDifference("a000002", RowDifference.Kind.DIFFERENT),
          new RowDifference("B000003", RowDifference.Kind.MISSING_IN_TARGET),
          new RowDifference("emoji 😀", RowDifference.Kind.DIFFERENT),
          // The source's collation finds a000002 for A000002: compared as exact strings, it is not the source's.
          new RowDifference("A000002", RowDifference.Kind.EXTRA_IN_TARGET),
          new RowDifference("zz extra", RowDifference.Kind.EXTRA_IN_TARGET));
      assertListed(
          "uuids",
          List.of("UPDATE uuids SET n = 0 WHERE n = 3", "DELETE FROM uuids WHERE n = 4"),
          List.of("UPDATE uuids SET n = 3 WHERE n = 0", "INSERT INTO uuids VALUES ('a87ff679-a2f3-e71d-9181-a67b7542122c', 4)"),
          // MD5('3') upper-cased, as every third key; MD5('4') as it is.
          new RowDifference("ECCBC87E-4B5C-E2FE-2830-8FD9F2A7BAF3", RowDifference.Kind.DIFFERENT),
          new RowDifference("a87ff679-a2f3-e71d-9181-a67b7542122c", RowDifference.Kind.MISSING_IN_TARGET));
      assertListed(
          "legacy",
          List.of("UPDATE legacy SET v = 0 WHERE code = 'é000010'", "INSERT INTO legacy VALUES ('e000010', 1)"),
          List.of("UPDATE legacy SET v = 10 WHERE code = 'é000010'", "DELETE FROM legacy WHERE code = 'e000010'"),
          new RowDifference("é000010", RowDifference.Kind.DIFFERENT),
          // utf8mb3_general_ci finds é000010 for e000010: an exact string, it is not the source's.
          new RowDifference("e000010", RowDifference.Kind.EXTRA_IN_TARGET));
      assertListed(
          "latin",
          List.of("UPDATE latin SET v = 0 WHERE code = '€000003'", "DELETE FROM latin WHERE code = 'Ä000004'",
              "INSERT INTO latin VALUES ('ä000004', 4), ('😀 not latin1', 1)"),
          List.of("UPDATE latin SET v = 3 WHERE code = '€000003'", "INSERT INTO latin VALUES ('Ä000004', 4)",
              "DELETE FROM latin WHERE code IN ('ä000004', '😀 not latin1')"),
          new RowDifference("€000003", RowDifference.Kind.DIFFERENT),
          new RowDifference("Ä000004", RowDifference.Kind.MISSING_IN_TARGET),
          new RowDifference("ä000004", RowDifference.Kind.EXTRA_IN_TARGET),
          // A key latin1 cannot hold is looked up on the source all the same, and not found.
          new RowDifference("😀 not latin1", RowDifference.Kind.EXTRA_IN_TARGET));
    }

    /**
     * A key in cp1251, sjis or ucs2 is split and compared as a latin1 key is: a changed, a missing
     * and two extra rows (one equal to the missing one in the source's collation, one a key the set
     * cannot hold, which MariaDB refuses to look up) listed by key.
     */
    @Test
    void keysInOtherCharacterSetsAreSplitInTheSourcesOrderAndDifferencesListedByKey() throws Exception {
      record Keys(String table, String changed, String missing, String sameInTheSourcesCollation) {}
      for (Keys k : List.of(
          new Keys("cyrillic", "Ё000003", "Ж000004", "ж000004"),
          new Keys("japanese", "一000003", "Z000005", "z000005"),
          new Keys("wide", "Ω000003", "É000004", "é000004"))) {
        assertThat(table(k.table()).textChunks()).as(k.table()).isTrue();
        List<KeyRange> ranges = activities.planChunks(spec, table(k.table()));
        assertThat(ranges).as(k.table() + ": 20 000 keys in ranges of 3 000").hasSize(7);
        try (Connection my = LocalStack.connectMariadb(source);
            Statement st = my.createStatement();
            ResultSet rs = st.executeQuery("SELECT code FROM " + k.table() + " ORDER BY code LIMIT 1 OFFSET 2999")) {
          rs.next();
          assertThat(ranges.get(0).upTo()).as(k.table() + ": the 3 000th key in the source's order, in UTF-8")
              .isEqualTo(bound(rs.getString(1)));
        }
        String t = k.table();
        assertListed(
            t,
            List.of("UPDATE " + t + " SET v = 0 WHERE code = '" + k.changed() + "'", "DELETE FROM " + t + " WHERE code = '" + k.missing() + "'",
                "INSERT INTO " + t + " VALUES ('" + k.sameInTheSourcesCollation() + "', 4), ('😀 not in the set', 1)"),
            List.of("UPDATE " + t + " SET v = 3 WHERE code = '" + k.changed() + "'",
                "INSERT INTO " + t + " SELECT '" + k.missing() + "', " + Integer.parseInt(k.missing().substring(1)),
                "DELETE FROM " + t + " WHERE code IN ('" + k.sameInTheSourcesCollation() + "', '😀 not in the set')"),
            new RowDifference(k.changed(), RowDifference.Kind.DIFFERENT),
            new RowDifference(k.missing(), RowDifference.Kind.MISSING_IN_TARGET),
            new RowDifference(k.sameInTheSourcesCollation(), RowDifference.Kind.EXTRA_IN_TARGET),
            new RowDifference("😀 not in the set", RowDifference.Kind.EXTRA_IN_TARGET));
      }
    }

    @Test
    void keysBothEnginesOrderAlikeAreComparedAsAnIntegerKeysRangesAreAndOthersByTheirKeys() {
      TableVerifier.Progress tokens = walk("tokens").progress();
      assertThat(tokens.ranges()).isGreaterThan(2);
      assertThat(tokens.rangesByKeys()).as("lowercase hex: both engines order it alike, each range hashed whole").isZero();
      TableVerifier.Progress codes = walk("codes").progress();
      assertThat(codes.differingRows()).isZero();
      assertThat(codes.rangesByKeys()).as("mixed case: ordered otherwise, every range by its keys").isEqualTo(codes.ranges());
    }

    @Test
    void boundsHoldingAQuoteOrABackslashSelectTheSameKeysOnBothSides() throws Exception {
      KeyRange range = new KeyRange(bound("back\\slash"), bound("it's"));
      List<String> mine = new ArrayList<>();
      try (Connection my = LocalStack.connectMariadb(source);
          Statement st = my.createStatement();
          ResultSet rs = st.executeQuery("SELECT code FROM codes" + ValueSql.where(table("codes"), range, true) + " ORDER BY code")) {
        while (rs.next()) {
          mine.add(rs.getString(1));
        }
      }
      assertThat(mine).containsExactly("comma,key", "emoji 😀", "it's");
      assertThat(pgRows(target, "SELECT code FROM codes" + ValueSql.where(table("codes"), range, false) + " ORDER BY code"))
          .containsExactly(List.of("comma,key"), List.of("emoji 😀"), List.of("it's"));
    }

    @Test
    void aLiteralReadsBackAsItsTextWhateverStandardConformingStringsSays() throws Exception {
      for (String setting : List.of("on", "off")) {
        try (Connection pg = LocalStack.connect(target);
            Statement st = pg.createStatement()) {
          st.execute("SET standard_conforming_strings = " + setting);
          try (ResultSet rs = st.executeQuery(
              "SELECT " + SchemaConverter.pgLiteral("back\\slash it's") + ", " + SchemaConverter.pgLiteral("it's plain"))) {
            rs.next();
            assertThat(rs.getString(1)).as("standard_conforming_strings " + setting).isEqualTo("back\\slash it's");
            assertThat(rs.getString(2)).isEqualTo("it's plain");
          }
        }
      }
    }

    @Test
    void theKeySetsOfATextKeyAgreeAfterTheCopyAndTellAKeyChangedOnlyInCase() throws Exception {
      for (String table : List.of("codes", "latin", "uuids", "stamped", "cyrillic", "japanese", "wide")) {
        assertThat(keySets(table).same()).as(table).isTrue();
      }
      LocalStack.sql(target, "UPDATE codes SET code = 'A000002' WHERE code = 'a000002'");
      try {
        TableVerifier.KeySets sets = keySets("codes");
        assertThat(sets.same()).as("as many keys, one another: the source's collation finds it, its bytes differ").isFalse();
        assertThat(sets.targetRows()).isEqualTo(sets.sourceRows()).isEqualTo(24_006);
      } finally {
        LocalStack.sql(target, "UPDATE codes SET code = 'a000002' WHERE code = 'A000002'");
      }
      assertThat(keySets("codes").same()).isTrue();
    }

    @Test
    void changedRowsAreCheckedWithTheKeySetsRatherThanAWalkOfEveryKey() throws Exception {
      MigrateSpec watermarked = new MigrateSpec(spec.header(), spec.source(), spec.target(), spec.targetSchema(), List.of(),
          List.of(), spec.keylessTables(), Map.of(), Map.of(), List.of(), spec.copy(), new SyncOptions(true, Map.of("stamped", "updated_at"),
          Duration.ofMinutes(1)), spec.verify());
      String since = "2030-01-01 00:00:00.000000";
      TableVerification clean = activities.verifyChangedRows(watermarked, table("stamped"), since);
      assertThat(clean.clean()).isTrue();
      assertThat(clean.ranges()).as("the rows changed since (none), then the key sets: no walk of 20 000 keys").isEqualTo(2);
      LocalStack.sql(target, "DELETE FROM stamped WHERE code = 'é000001'", "INSERT INTO stamped VALUES ('x extra', 1, '2024-01-01')");
      try {
        TableVerification changed = activities.verifyChangedRows(watermarked, table("stamped"), since);
        assertThat(changed.differences()).as("the key sets differ, so the keys are walked").containsExactlyInAnyOrder(
            new RowDifference("é000001", RowDifference.Kind.MISSING_IN_TARGET),
            new RowDifference("x extra", RowDifference.Kind.EXTRA_IN_TARGET));
      } finally {
        LocalStack.sql(target, "DELETE FROM stamped WHERE code = 'x extra'", "INSERT INTO stamped VALUES ('é000001', 1, '2024-01-01')");
      }
    }

    private static String bound(String key) {
      return "t" + java.util.HexFormat.of().formatHex(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void aRetriedRangeReplacesTheRowsAnEarlierAttemptCommitted() throws Exception {
      KeyRange first = activities.planChunks(spec, table("codes")).get(0);
      // The empty key, then a000002 to a006000: the first 3 000 keys in the source's order.
      LocalStack.sql(target, "UPDATE codes SET qty = -5, note = 'stale' WHERE code = 'a000010'");

      ChunkCopied again = activities.copyChunk(new ChunkCopyRequest(spec, table("codes"), first));

      assertThat(again.rows()).as("the range's rows, copied again").isEqualTo(3_000);
      assertThat(pgValue(target, "SELECT count(*) FROM codes")).as("no row twice").isEqualTo("24006");
      assertThat(pgValue(target, "SELECT qty || '/' || coalesce(note, 'N') FROM codes WHERE code = 'a000010'"))
          .as("the source's row replaced the earlier one").isEqualTo("10/N");
      assertThat(activities.verifyTable(spec, table("codes")).clean()).isTrue();
    }

    @Test
    void theDeltaSyncRepairsAnUpdateADeleteAndAnInsert() throws Exception {
      onASecondCopy(3_000, (changed, copy, s, plan) -> {
        LocalStack.mariadbSql(
            changed,
            "UPDATE codes SET note = 'renamed 😀', doc = '{\"z\": 1}' WHERE code = 'a000010'",
            "DELETE FROM codes WHERE code IN ('B000011', 'comma,key')",
            "INSERT INTO codes VALUES ('new key', 7, NULL, '[]')");
        TablePlan codes = plan.tables().stream().filter(t -> t.name().equals("codes")).findFirst().orElseThrow();
        assertThat(activities.verifyTable(s, codes).differingRows()).as("the source changed after the copy").isEqualTo(4);

        SyncResult synced = activities.syncTable(new SyncRequest(s, codes, plan.sourceTime()));

        assertThat(synced.upserted()).as("one changed, one added").isEqualTo(2);
        assertThat(synced.deleted()).as("two the source deleted").isEqualTo(2);
        assertThat(activities.verifyTable(s, codes).clean()).isTrue();
        assertThat(pgValue(copy, "SELECT note FROM codes WHERE code = 'a000010'")).isEqualTo("renamed 😀");
        assertThat(pgValue(copy, "SELECT count(*) FROM codes")).isEqualTo("24005");

        assertSynced(changed, copy, s, plan, "latin", "€000003", List.of("Ä000004"), "Ö added");
        assertSynced(changed, copy, s, plan, "japanese", "ｶ000004", List.of("亜000006", "一000007"), "漢字 added");
      });
    }

    /**
     * Changes the source's table (one row's v to -1, rows deleted, a row added with v = 7), syncs it
     * and checks the copy holds the source's rows.
     */
    private void assertSynced(String changed, String copy, MigrateSpec s, SchemaPlan plan, String table, String changedKey,
        List<String> deletedKeys, String addedKey) throws Exception {
      LocalStack.mariadbSql(
          changed,
          "UPDATE " + table + " SET v = -1 WHERE code = '" + changedKey + "'",
          "DELETE FROM " + table + " WHERE code IN ('" + String.join("', '", deletedKeys) + "')",
          "INSERT INTO " + table + " VALUES ('" + addedKey + "', 7)");
      TablePlan t = plan.tables().stream().filter(x -> x.name().equals(table)).findFirst().orElseThrow();
      SyncResult synced = activities.syncTable(new SyncRequest(s, t, plan.sourceTime()));
      assertThat(synced.upserted()).as(table + ": one changed, one added").isEqualTo(2);
      assertThat(synced.deleted()).as(table + ": those the source deleted").isEqualTo(deletedKeys.size());
      assertThat(activities.verifyTable(s, t).clean()).isTrue();
      assertThat(pgValue(copy, "SELECT v FROM " + table + " WHERE code = '" + changedKey + "'")).isEqualTo("-1");
      assertThat(pgValue(copy, "SELECT v FROM " + table + " WHERE code = '" + addedKey + "'")).isEqualTo("7");
    }
  }
}
