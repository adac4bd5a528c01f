package io.durablerunbooks.postgres;

import io.durablerunbooks.secrets.SecretRef;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How to reach one PostgreSQL database. The URL is a plain JDBC URL with a single host; the
 * password is always a secret reference, never a value.
 */
public record PostgresConnection(String url, String user, SecretRef password) {

  private static final Pattern URL =
      Pattern.compile("jdbc:postgresql://([^/:?,]+)(?::(\\d+))?/([^/?]+)(\\?.*)?");

  public PostgresConnection {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    parse(url);
  }

  /** Why a URL cannot be used, or null when it can. */
  public static String problemWith(String url) {
    if (!url.startsWith("jdbc:postgresql://")) {
      return "must start with jdbc:postgresql://";
    }
    if (!URL.matcher(url).matches()) {
      return "must look like jdbc:postgresql://host:port/database (one host, a database name)";
    }
    return null;
  }

  private static Matcher parse(String url) {
    String problem = problemWith(url);
    if (problem != null) {
      throw new IllegalArgumentException("url " + problem);
    }
    Matcher m = URL.matcher(url);
    m.matches();
    return m;
  }

  public String host() {
    return parse(url).group(1);
  }

  public int port() {
    String port = parse(url).group(2);
    return port == null ? 5432 : Integer.parseInt(port);
  }

  public String database() {
    return parse(url).group(3);
  }

  /** The same server and credentials, another database on it. */
  public PostgresConnection withDatabase(String otherDatabase) {
    Matcher m = parse(url);
    String params = m.group(4) == null ? "" : m.group(4);
    String hostPort = m.group(2) == null ? m.group(1) : m.group(1) + ":" + m.group(2);
    return new PostgresConnection(
        "jdbc:postgresql://" + hostPort + "/" + otherDatabase + params, user, password);
  }

  @Override
  public String toString() {
    return user + "@" + url;
  }
}
