package io.durablerunbooks.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The real local stack that scripts/stack.sh starts: PostgreSQL, S3Proxy and the Temporal dev
 * server on 127.0.0.1, with their secrets in files under the stack directory.
 */
final class Stack {

  static final Path DIR = Path.of(System.getenv().getOrDefault("RUNBOOKS_STACK_DIR", "/var/tmp/durable-runbooks"));
  static final Path REPO = repoRoot();
  static final String PG_HOST = "127.0.0.1";
  static final int PG_PORT = 15432;
  static final String S3_ENDPOINT = "http://127.0.0.1:18080";
  static final String BUCKET = "runbooks";
  static final String TEMPORAL = "127.0.0.1:7233";
  static final int MARIADB_PORT = 13306;

  private Stack() {}

  /** Fails with the fix when the stack is not running, instead of timing out somewhere deep. */
  static void requireUp() {
    for (int port : new int[] {PG_PORT, 18080, 7233, MARIADB_PORT}) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      } catch (IOException e) {
        throw new IllegalStateException(
            "nothing listens on 127.0.0.1:" + port + ": start the local stack with scripts/stack.sh up");
      }
    }
  }

  static Path secretFile(String name) {
    return DIR.resolve(name);
  }

  static String secret(String name) {
    try {
      return Files.readString(secretFile(name)).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String jdbcUrl(String database) {
    return "jdbc:postgresql://" + PG_HOST + ":" + PG_PORT + "/" + database;
  }

  static Connection connect(String database) throws SQLException {
    return DriverManager.getConnection(jdbcUrl(database), "postgres", secret("pg-password"));
  }

  static String mariadbUrl(String database) {
    return "jdbc:mariadb://127.0.0.1:" + MARIADB_PORT + "/" + database + "?sslMode=disable";
  }

  static Connection connectMariadb(String database) throws SQLException {
    return DriverManager.getConnection(mariadbUrl(database), "root", secret("mariadb-password"));
  }

  static S3Client s3() {
    return S3Client.builder()
        .endpointOverride(URI.create(S3_ENDPOINT))
        .region(Region.US_EAST_1)
        .forcePathStyle(true)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(secret("s3-access-key"), secret("s3-secret-key"))))
        .build();
  }

  private static Path repoRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.exists(dir.resolve("bin/runbook"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("cannot find the repository root (bin/runbook) above " + Path.of("").toAbsolutePath());
    }
    return dir;
  }
}
