package io.durablerunbooks.migrate;

import io.durablerunbooks.jdbc.DatabaseAddress;
import io.durablerunbooks.jdbc.JdbcUrl;
import io.durablerunbooks.secrets.SecretRef;
import java.util.List;
import java.util.Objects;

/**
 * How to reach one MySQL or MariaDB database: a JDBC URL with a single host and a database name,
 * and a password that is always a secret reference, never a value.
 */
public record MySqlConnection(String url, String user, SecretRef password) implements DatabaseAddress {

  private static final List<String> SCHEMES = List.of("mariadb", "mysql");
  private static final String EXAMPLE = "jdbc:mariadb://host:port/database";
  private static final int DEFAULT_PORT = 3306;

  public MySqlConnection {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    JdbcUrl.parse(url, SCHEMES, EXAMPLE, DEFAULT_PORT);
  }

  /** Why a URL cannot be used, or null when it can. */
  public static String problemWith(String url) {
    return JdbcUrl.problemWith(url, SCHEMES, EXAMPLE);
  }

  @Override
  public JdbcUrl parts() {
    return JdbcUrl.parse(url, SCHEMES, EXAMPLE, DEFAULT_PORT);
  }

  /** The URL's parameters after '?', or empty. */
  public String parameters() {
    return parts().parameters();
  }

  @Override
  public String toString() {
    return user + "@" + url;
  }
}
