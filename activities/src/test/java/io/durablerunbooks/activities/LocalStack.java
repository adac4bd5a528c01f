package io.durablerunbooks.activities;

import static org.assertj.core.api.Assertions.assertThat;

import io.durablerunbooks.migrate.MySqlConnection;
import io.durablerunbooks.postgres.PostgresConnection;
import io.durablerunbooks.secrets.SecretRef;
import io.durablerunbooks.ssh.SshAccess;
import io.durablerunbooks.ssh.SshHost;
import io.durablerunbooks.storage.StorageLocation;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The shared local stack ({@code scripts/stack.sh up}): PostgreSQL 15 on 127.0.0.1:15432 and
 * S3Proxy on 127.0.0.1:18080, with their secrets in files under the state directory.
 */
public final class LocalStack {

  public static final Path STATE =
      Path.of(System.getenv().getOrDefault("RUNBOOKS_STACK_DIR", "/var/tmp/durable-runbooks"));
  public static final String PG_HOST = "127.0.0.1";
  public static final int PG_PORT = 15432;
  public static final String PG_USER = "postgres";
  public static final SecretRef PG_PASSWORD = SecretRef.of("${file:" + STATE.resolve("pg-password") + "}");
  public static final String S3_ENDPOINT = "http://127.0.0.1:18080";
  public static final String BUCKET = "runbooks";
  public static final SecretRef S3_ACCESS_KEY = SecretRef.of("${file:" + STATE.resolve("s3-access-key") + "}");
  public static final SecretRef S3_SECRET_KEY = SecretRef.of("${file:" + STATE.resolve("s3-secret-key") + "}");

  /** The SSH hosts of {@code scripts/hosts.sh}: web1 to web4 on ports 12201 to 12204, one login. */
  public static final Path SSH_DIR = STATE.resolve("ssh");
  public static final SecretRef SSH_KEY = SecretRef.of("${file:" + SSH_DIR.resolve("id_ed25519") + "}");
  public static final SecretRef SSH_KEY_WITH_PASSPHRASE = SecretRef.of("${file:" + SSH_DIR.resolve("id_ed25519_pass") + "}");
  public static final String SSH_PASSPHRASE = "${file:" + SSH_DIR.resolve("passphrase") + "}";
  public static final String KNOWN_HOSTS = SSH_DIR.resolve("known_hosts").toString();

  private LocalStack() {}

  public static SshHost sshHost(int number) {
    return new SshHost("web" + number, "127.0.0.1", 12200 + number, System.getProperty("user.name"));
  }

  public static SshAccess sshAccess() {
    return new SshAccess(SSH_KEY, "", KNOWN_HOSTS);
  }

  /** Fails with the fix when the stack is not up, instead of a confusing connection error later. */
  public static void requireUp() {
    assertThat(STATE.resolve("pg-password"))
        .as("the local stack is not up: run scripts/stack.sh up")
        .exists();
  }

  public static String pgPassword() {
    return read(STATE.resolve("pg-password"));
  }

  public static PostgresConnection database(String name) {
    return new PostgresConnection("jdbc:postgresql://" + PG_HOST + ":" + PG_PORT + "/" + name, PG_USER, PG_PASSWORD);
  }

  public static StorageLocation storage(String prefix) {
    return new StorageLocation(S3_ENDPOINT, "us-east-1", BUCKET, prefix, S3_ACCESS_KEY, S3_SECRET_KEY, "", true);
  }

  /** A name no other test run uses: lower case, letters, digits and underscores. */
  public static String unique(String stem) {
    byte[] random = new byte[4];
    ThreadLocalRandom.current().nextBytes(random);
    return stem + "_" + HexFormat.of().formatHex(random);
  }

  public static Connection connect(String database) throws SQLException {
    return DriverManager.getConnection(database(database).url(), PG_USER, pgPassword());
  }

  public static void createDatabase(String name) throws SQLException {
    sql("postgres", "create database \"" + name + "\"");
  }

  public static void dropDatabase(String name) throws SQLException {
    sql("postgres", "drop database if exists \"" + name + "\" with (force)");
  }

  public static boolean databaseExists(String name) throws SQLException {
    try (Connection c = connect("postgres");
        var s = c.prepareStatement("select 1 from pg_database where datname = ?")) {
      s.setString(1, name);
      try (var rows = s.executeQuery()) {
        return rows.next();
      }
    }
  }

  public static void sql(String database, String... statements) throws SQLException {
    try (Connection c = connect(database);
        Statement s = c.createStatement()) {
      for (String statement : statements) {
        s.execute(statement);
      }
    }
  }

  /**
   * Tables of mixed types filled with random data (a few MB), plus a quoted name and a second
   * schema, so restores are compared on more than one easy table.
   */
  public static void fillSampleData(String database, int rows) throws SQLException {
    sql(
        database,
        "create table customers (id bigint primary key, name text not null, email text, created timestamptz,"
            + " balance numeric(12,2), active boolean, tags text[], profile jsonb)",
        "insert into customers select g, md5(random()::text) || ' ' || md5(random()::text),"
            + " 'user' || g || '@example.org', now() - random() * interval '900 days',"
            + " round((random() * 100000)::numeric, 2), random() > 0.3,"
            + " array[md5(random()::text), md5(random()::text)],"
            + " jsonb_build_object('score', random(), 'note', md5(random()::text))"
            + " from generate_series(1, " + rows + ") g",
        "create table orders (id bigserial primary key, customer_id bigint references customers(id),"
            + " amount double precision, placed date, payload bytea, note varchar(200))",
        "insert into orders (customer_id, amount, placed, payload, note) select 1 + (random() * ("
            + (rows - 1) + "))::bigint, random() * 500, current_date - (random() * 365)::int,"
            + " decode(md5(random()::text) || md5(random()::text), 'hex'), md5(random()::text)"
            + " from generate_series(1, " + (rows * 2) + ")",
        "create schema audit",
        "create table audit.\"Event Log\" (at timestamp, kind smallint, detail text, id uuid default gen_random_uuid())",
        "insert into audit.\"Event Log\" (at, kind, detail) select now() - g * interval '1 minute',"
            + " (random() * 10)::smallint, repeat(md5(random()::text), 3) from generate_series(1, " + rows + ") g",
        "create table empty_table (id int)");
  }

  /** Row count and a content hash of every user table, in a stable order. */
  public static Map<String, String> tableFingerprints(String database) throws SQLException {
    Map<String, String> fingerprints = new LinkedHashMap<>();
    try (Connection c = connect(database);
        Statement s = c.createStatement();
        var tables =
            s.executeQuery(
                "select quote_ident(schemaname) || '.' || quote_ident(tablename) from pg_tables"
                    + " where schemaname not in ('pg_catalog', 'information_schema') order by 1")) {
      List<String> names = new ArrayList<>();
      while (tables.next()) {
        names.add(tables.getString(1));
      }
      for (String name : names) {
        try (Statement q = c.createStatement();
            var row =
                q.executeQuery(
                    "select count(*), coalesce(md5(string_agg(t::text, '' order by t::text)), '') from " + name + " t")) {
          row.next();
          fingerprints.put(name, row.getLong(1) + " rows, md5 " + row.getString(2));
        }
      }
    }
    return fingerprints;
  }

  /** A raw S3 client, for looking at and damaging what the activities stored. */
  public static S3Client s3() {
    return S3Client.builder()
        .endpointOverride(URI.create(S3_ENDPOINT))
        .region(Region.US_EAST_1)
        .forcePathStyle(true)
        .credentialsProvider(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(
                    read(STATE.resolve("s3-access-key")), read(STATE.resolve("s3-secret-key")))))
        .build();
  }

  public static List<String> keys(S3Client s3, String prefix) {
    return s3.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix(prefix)).contents().stream().map(S3Object::key).toList();
  }

  public static List<MultipartUpload> uploads(S3Client s3, String prefix) {
    return s3.listMultipartUploads(b -> b.bucket(BUCKET).prefix(prefix)).uploads();
  }

  /** Removes everything a test left under its prefix, finished or not. */
  public static void deletePrefix(S3Client s3, String prefix) {
    for (MultipartUpload upload : uploads(s3, prefix)) {
      s3.abortMultipartUpload(b -> b.bucket(BUCKET).key(upload.key()).uploadId(upload.uploadId()));
    }
    for (String key : keys(s3, prefix)) {
      s3.deleteObject(b -> b.bucket(BUCKET).key(key));
    }
  }

  /** An activity environment whose stubs behave like the workflow's transfer steps. */
  public static final int MARIADB_PORT = 13306;
  public static final SecretRef MARIADB_PASSWORD = SecretRef.of("${file:" + STATE.resolve("mariadb-password") + "}");

  /** A database of the stack's MariaDB, as a migration source. */
  public static MySqlConnection mariadb(String database) {
    return new MySqlConnection(
        "jdbc:mariadb://127.0.0.1:" + MARIADB_PORT + "/" + database + "?sslMode=disable", "root", MARIADB_PASSWORD);
  }

  public static Connection connectMariadb(String database) throws SQLException {
    return DriverManager.getConnection(
        "jdbc:mariadb://127.0.0.1:" + MARIADB_PORT + "/" + database + "?sslMode=disable", "root",
        read(STATE.resolve("mariadb-password")));
  }

  /** Runs statements in a MariaDB database ("" for none), in UTC and utf8mb4 like the migration reads. */
  public static void mariadbSql(String database, String... statements) throws SQLException {
    try (Connection c = connectMariadb(database);
        Statement s = c.createStatement()) {
      s.execute("SET time_zone = '+00:00', NAMES utf8mb4, sql_mode = ''");
      for (String statement : statements) {
        s.execute(statement);
      }
    }
  }

  public static TestActivityEnvironment activityEnvironment(Object... implementations) {
    TestActivityEnvironment environment = TestActivityEnvironment.newInstance();
    environment.registerActivitiesImplementations(implementations);
    return environment;
  }

  public static ActivityOptions activityOptions() {
    return ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofMinutes(5))
        .setHeartbeatTimeout(Duration.ofSeconds(30))
        .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
        .build();
  }

  /** The ApplicationFailure an activity threw, however the caller received it. */
  public static ApplicationFailure applicationFailure(Throwable thrown) {
    for (Throwable t = thrown; t != null; t = t.getCause()) {
      if (t instanceof ApplicationFailure failure) {
        return failure;
      }
    }
    throw new AssertionError("no ApplicationFailure in the chain", thrown);
  }

  private static String read(Path path) {
    try {
      return Files.readString(path).strip();
    } catch (IOException e) {
      throw new AssertionError("the local stack is not up (" + path + " missing): run scripts/stack.sh up", e);
    }
  }
}
