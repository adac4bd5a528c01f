package io.durablerunbooks.migrate;

import io.durablerunbooks.secrets.SecretRef;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How to reach one MySQL or MariaDB database: a JDBC URL with a single host and a database name,
 * and a password that is always a secret reference, never a value.
 */
public record MySqlConnection(String url, String user, SecretRef password) {

  private static final Pattern URL =
      Pattern.compile("jdbc:(mariadb|mysql)://([^/:?,]+)(?::(\\d+))?/([^/?]+)(\\?.*)?");

  public MySqlConnection {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    parse(url);
  }

  /** Why a URL cannot be used, or null when it can. */
  public static String problemWith(String url) {
    if (!url.startsWith("jdbc:mariadb://") && !url.startsWith("jdbc:mysql://")) {
      return "must start with jdbc:mariadb:// or jdbc:mysql://";
    }
    if (!URL.matcher(url).matches()) {
      return "must look like jdbc:mariadb://host:port/database (one host, a database name)";
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
    return parse(url).group(2);
  }

  public int port() {
    String port = parse(url).group(3);
    return port == null ? 3306 : Integer.parseInt(port);
  }

  public String database() {
    return parse(url).group(4);
  }

  /** The URL's parameters after '?', or empty. */
  public String parameters() {
    String params = parse(url).group(5);
    return params == null ? "" : params.substring(1);
  }

  @Override
  public String toString() {
    return user + "@" + url;
  }
}
