package io.durablerunbooks.postgres;

import io.durablerunbooks.activities.FailureTypes;
import io.temporal.failure.ApplicationFailure;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;

/**
 * Sorts PostgreSQL errors into faults a retry cannot fix (wrong password, missing database, bad
 * SQL: non-retryable, naming the field to change) and transient ones (server down or restarting,
 * network, lock conflicts: retryable). Messages come from the server and from the connection's
 * public parts; the password is never known here, so it cannot leak into them.
 */
public final class PostgresErrors {

  private PostgresErrors() {}

  /**
   * @param field the runbook field holding the connection ({@code database}, {@code target})
   */
  public static ApplicationFailure classify(SQLException error, PostgresConnection db, String field) {
    SQLException root = deepestSqlException(error);
    String state = root.getSQLState() == null ? "" : root.getSQLState();
    String server = serverMessage(root);
    String where = db.host() + ":" + db.port();
    if (state.equals("28P01")) {
      return ApplicationFailure.newNonRetryableFailure(
          field + ".password: PostgreSQL at " + where + " refused the password for user '" + db.user()
              + "' (" + db.password() + "); put the right password where the reference points",
          FailureTypes.AUTHENTICATION_FAILED);
    }
    if (state.equals("28000")) {
      return ApplicationFailure.newNonRetryableFailure(
          field + ".user: PostgreSQL at " + where + " does not let user '" + db.user() + "' in: " + server
              + "; fix the user or the server's pg_hba.conf",
          FailureTypes.AUTHENTICATION_FAILED);
    }
    if (state.equals("3D000")) {
      return ApplicationFailure.newNonRetryableFailure(
          field + ".url: " + server + " on " + where + "; create it or fix the database name in " + db.url(),
          FailureTypes.DATABASE_NOT_FOUND);
    }
    if (state.equals("42501")) {
      return ApplicationFailure.newNonRetryableFailure(
          field + ".user: user '" + db.user() + "' lacks a privilege on " + where + ": " + server
              + "; grant it or use another user",
          FailureTypes.PERMISSION_DENIED);
    }
    if (state.startsWith("22") || state.startsWith("42")) {
      return ApplicationFailure.newNonRetryableFailure(
          field + ": PostgreSQL at " + where + " rejected the statement: " + server + " (SQLSTATE " + state + ")",
          FailureTypes.INVALID_INPUT);
    }
    if (isUnreachable(state, error)) {
      return ApplicationFailure.newFailure(
          field + ".url: cannot reach PostgreSQL at " + where + " (" + server
              + "); retrying. Check that the server runs and that host and port in " + db.url() + " are right",
          FailureTypes.DATABASE_UNAVAILABLE);
    }
    return ApplicationFailure.newFailureWithCause(
        field + ": PostgreSQL at " + where + ": " + server + " (SQLSTATE " + (state.isEmpty() ? "none" : state) + ")",
        FailureTypes.DATABASE_UNAVAILABLE,
        root);
  }

  private static boolean isUnreachable(String state, Throwable error) {
    if (state.startsWith("08") || state.startsWith("57P") || state.startsWith("53")) {
      return true;
    }
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof ConnectException || t instanceof SocketTimeoutException || t instanceof UnknownHostException) {
        return true;
      }
    }
    return false;
  }

  /** Pools wrap the driver's exception; the innermost one carries the server's SQLSTATE. */
  private static SQLException deepestSqlException(SQLException error) {
    SQLException deepest = error;
    for (Throwable t = error.getCause(); t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && sql.getSQLState() != null) {
        deepest = sql;
      }
    }
    return deepest;
  }

  /**
   * The server's message without its severity, first line only: PostgreSQL's DETAIL line, which
   * may list a row's values, stays out of failures, logs and reports.
   */
  public static String serverMessage(SQLException error) {
    String message = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
    String firstLine = message.lines().findFirst().orElse(message);
    return firstLine.startsWith("FATAL: ") || firstLine.startsWith("ERROR: ")
        ? firstLine.substring(firstLine.indexOf(' ') + 1)
        : firstLine;
  }
}
