package io.durablerunbooks.migrate;

import io.durablerunbooks.activities.FailureTypes;
import io.temporal.failure.ApplicationFailure;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.util.Set;

/**
 * Sorts MySQL/MariaDB errors like {@link io.durablerunbooks.postgres.PostgresErrors} sorts
 * PostgreSQL's: wrong password, missing database, missing privilege and bad SQL are
 * non-retryable and name the field to change; an unreachable or restarting server, a lock wait or
 * a deadlock are retried.
 */
final class MySqlErrors {

  private static final int ACCESS_DENIED = 1045;
  private static final int DB_ACCESS_DENIED = 1044;
  private static final int UNKNOWN_DATABASE = 1049;
  private static final int TABLE_ACCESS_DENIED = 1142;
  private static final int LOCK_WAIT_TIMEOUT = 1205;
  private static final int DEADLOCK = 1213;
  private static final int QUERY_INTERRUPTED = 1317;
  /** Illegal mix of collations, of two, three or more operands. */
  private static final Set<Integer> COLLATION_MIX = Set.of(1267, 1270, 1271);

  private MySqlErrors() {}

  static ApplicationFailure classify(SQLException error, MySqlConnection db, String field) {
    int code = error.getErrorCode();
    String state = error.getSQLState() == null ? "" : error.getSQLState();
    String server = firstLine(error);
    String where = db.host() + ":" + db.port();
    if (code == ACCESS_DENIED) {
      return ApplicationFailure.newNonRetryableFailure(
          field + ".password: MySQL at " + where + " refused user '" + db.user() + "' with the password of "
              + db.password() + "; put the right password where the reference points, or grant the user access from this worker",
          FailureTypes.AUTHENTICATION_FAILED);
    }
    if (code == UNKNOWN_DATABASE) {
      return ApplicationFailure.newNonRetryableFailure(
          field + ".url: " + server + " on " + where + "; fix the database name in " + db.url(),
          FailureTypes.DATABASE_NOT_FOUND);
    }
    if (code == DB_ACCESS_DENIED || code == TABLE_ACCESS_DENIED) {
      return ApplicationFailure.newNonRetryableFailure(
          field + ".user: user '" + db.user() + "' lacks a privilege on " + where + ": " + server
              + "; grant SELECT (and SHOW VIEW, PROCESS for the preflight) or use another user",
          FailureTypes.PERMISSION_DENIED);
    }
    if (code == LOCK_WAIT_TIMEOUT || code == DEADLOCK || code == QUERY_INTERRUPTED) {
      return ApplicationFailure.newFailure(
          field + ": MySQL at " + where + " is busy (" + server + "); backing off and retrying",
          FailureTypes.DATABASE_UNAVAILABLE);
    }
    if (isUnreachable(state, error)) {
      return ApplicationFailure.newFailure(
          field + ".url: cannot reach MySQL at " + where + " (" + server
              + "); retrying. Check that the server runs and that host and port in " + db.url() + " are right",
          FailureTypes.DATABASE_UNAVAILABLE);
    }
    if (state.startsWith("42") || state.startsWith("22") || COLLATION_MIX.contains(code)) {
      return ApplicationFailure.newNonRetryableFailure(
          field + ": MySQL at " + where + " rejected the statement: " + server + " (error " + code + ")",
          FailureTypes.INVALID_INPUT);
    }
    return ApplicationFailure.newFailureWithCause(
        field + ": MySQL at " + where + ": " + server + " (error " + code + ", SQLSTATE " + state + ")",
        FailureTypes.DATABASE_UNAVAILABLE,
        error);
  }

  /**
   * Whether MySQL refused to compare texts of different character sets or collations: for a
   * non-ASCII text looked up in a column of a narrower set (an emoji in latin1), because the set
   * cannot hold it, so it is none of the column's values.
   */
  static boolean charsetCannotHold(SQLException error) {
    return COLLATION_MIX.contains(error.getErrorCode());
  }

  private static boolean isUnreachable(String state, Throwable error) {
    if (state.startsWith("08") || state.equals("HY000") && error.getMessage() != null
        && error.getMessage().contains("Socket error")) {
      return true;
    }
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof ConnectException || t instanceof SocketTimeoutException || t instanceof UnknownHostException) {
        return true;
      }
    }
    return false;
  }

  private static String firstLine(SQLException error) {
    String message = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
    String line = message.lines().findFirst().orElse(message);
    // The driver prefixes "(conn=12) "; the connection id helps nobody reading a runbook report.
    return line.replaceFirst("^\\(conn=\\d+\\) ", "");
  }
}
