package io.durablerunbooks.postgres;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * One unit of work in one transaction on a pooled connection: committed when it returns, rolled back
 * when it throws, and the connection handed back in autocommit as the pool lent it.
 */
public final class Transactions {

  private Transactions() {}

  public static <T> T run(Connection c, PostgresPools.SqlWork<T> work) throws SQLException {
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(false);
    try {
      T result = work.run(c);
      c.commit();
      return result;
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(autoCommit);
    }
  }
}
