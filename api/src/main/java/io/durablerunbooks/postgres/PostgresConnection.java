package io.durablerunbooks.postgres;

import io.durablerunbooks.jdbc.DatabaseAddress;
import io.durablerunbooks.jdbc.JdbcUrl;
import io.durablerunbooks.secrets.SecretRef;
import java.util.List;
import java.util.Objects;

/**
 * How to reach one PostgreSQL database. The URL is a plain JDBC URL with a single host; the
 * password is always a secret reference, never a value.
 */
public record PostgresConnection(String url, String user, SecretRef password) implements DatabaseAddress {

  private static final List<String> SCHEMES = List.of("postgresql");
  private static final String EXAMPLE = "jdbc:postgresql://host:port/database";
  private static final int DEFAULT_PORT = 5432;

  public PostgresConnection {
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

  /** The same server and credentials, another database on it. */
  public PostgresConnection withDatabase(String otherDatabase) {
    JdbcUrl p = parts();
    int hostEnd = url.indexOf('/', "jdbc:postgresql://".length());
    String params = p.parameters().isEmpty() ? "" : "?" + p.parameters();
    return new PostgresConnection(url.substring(0, hostEnd) + "/" + otherDatabase + params, user, password);
  }

  @Override
  public String toString() {
    return user + "@" + url;
  }
}
