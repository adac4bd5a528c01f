package io.durablerunbooks.postgres;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * @param version the server's version as a report shows it, e.g. {@code PostgreSQL 15.14 (Debian 15.14-0+deb12u1)};
 *     not {@code version()}, whose compiler and platform details only make the report harder to read
 * @param versionNum {@code server_version_num}, e.g. 150018
 */
public record ServerVersion(String version, int versionNum) {

  /** 15 for 150018: client tools must be of this major version or newer. */
  public int major() {
    return versionNum / 10_000;
  }

  public static ServerVersion of(Connection connection) throws SQLException {
    try (Statement s = connection.createStatement();
        ResultSet row = s.executeQuery("select 'PostgreSQL ' || current_setting('server_version'),"
                + " current_setting('server_version_num')::int")) {
      row.next();
      return new ServerVersion(row.getString(1), row.getInt(2));
    }
  }
}
