package io.durablerunbooks.jdbc;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parts of a single-host JDBC URL, {@code jdbc:<scheme>://host[:port]/database[?parameters]}:
 * what the connection records of each database kind check and read their URLs with.
 *
 * @param parameters what follows '?', or empty
 */
public record JdbcUrl(String scheme, String host, int port, String database, String parameters) {

  private static final Pattern URL =
      Pattern.compile("jdbc:([a-z]+)://([^/:?,]+)(?::(\\d+))?/([^/?]+)(?:\\?(.*))?");

  /**
   * Why a URL cannot be used, or null when it can.
   *
   * @param schemes the schemes accepted, e.g. {@code postgresql}
   * @param example a URL of the right shape, for the message
   */
  public static String problemWith(String url, List<String> schemes, String example) {
    if (schemes.stream().noneMatch(s -> url.startsWith("jdbc:" + s + "://"))) {
      return "must start with " + String.join(" or ", schemes.stream().map(s -> "jdbc:" + s + "://").toList());
    }
    if (!URL.matcher(url).matches()) {
      return "must look like " + example + " (one host, a database name)";
    }
    return null;
  }

  /** The parts of a URL {@link #problemWith} accepts; the port defaults to {@code defaultPort}. */
  public static JdbcUrl parse(String url, List<String> schemes, String example, int defaultPort) {
    String problem = problemWith(url, schemes, example);
    if (problem != null) {
      throw new IllegalArgumentException("url " + problem);
    }
    Matcher m = URL.matcher(url);
    m.matches();
    return new JdbcUrl(
        m.group(1), m.group(2), m.group(3) == null ? defaultPort : Integer.parseInt(m.group(3)), m.group(4),
        m.group(5) == null ? "" : m.group(5));
  }
}
