package io.durablerunbooks.migrate;

import java.sql.SQLException;

/**
 * A MySQL error met inside a step that also holds a PostgreSQL connection: it carries the error out
 * of the PostgreSQL pool's hands so that it is classified, and reported, as the source's.
 */
final class SourceException extends RuntimeException {

  SourceException(SQLException cause) {
    super(cause);
  }

  SQLException sql() {
    return (SQLException) getCause();
  }
}
