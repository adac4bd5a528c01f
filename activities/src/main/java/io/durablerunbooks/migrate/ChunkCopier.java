package io.durablerunbooks.migrate;

import io.durablerunbooks.activities.FailureTypes;
import io.durablerunbooks.postgres.PostgresErrors;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyOutputStream;
import org.postgresql.util.PSQLException;

/**
 * Copies one key range: MySQL streams the rows (a forward-only result set fetched in batches, so
 * memory stays bounded whatever the range's size) and they are written as COPY text into
 * PostgreSQL, inside a transaction that first deletes whatever the range already holds there (a
 * range of a text key: that upserts instead where its keys are there already). A retried chunk
 * therefore replaces an earlier attempt's rows rather than adding to them, and a chunk is either all
 * in or not at all.
 */
final class ChunkCopier {

  private static final int FETCH_ROWS = 2_000;
  private static final int COPY_BUFFER = 1 << 20;
  private static final String UNIQUE_VIOLATION = "23505";
  private static final String CHECK_VIOLATION = "23514";
  private static final String NOT_NULL_VIOLATION = "23502";
  private static final byte[] NULL = {'\\', 'N'};
  private static final byte[] HEX_PREFIX = {'\\', '\\', 'x'};
  private static final byte[] UTC_SUFFIX = {'+', '0', '0'};
  private static final byte[] ZERO_DATE = "0000-00-00".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  /** Rows and bytes so far, read by the heartbeat thread. */
  final AtomicLong rows = new AtomicLong();
  final AtomicLong bytes = new AtomicLong();
  private long zeroDates;
  private volatile Statement streaming;

  /**
   * PostgreSQL refusing source rows by a CHECK or NOT NULL constraint, as a failure that names the
   * table, the rows ({@code rows}: "rows (10, 20]") and the constraint and says what to do; empty for
   * any other error. The same rows are refused on every attempt, so retrying would only delay the
   * verdict. The message keeps PostgreSQL's first line only ({@link PostgresErrors#serverMessage}).
   */
  static Optional<ApplicationFailure> refusedRows(SQLException e, TablePlan t, String rows) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    if (!state.equals(CHECK_VIOLATION) && !state.equals(NOT_NULL_VIOLATION)) {
      return Optional.empty();
    }
    String constraint = e instanceof PSQLException p && p.getServerErrorMessage() != null && p.getServerErrorMessage().getConstraint() != null
        ? p.getServerErrorMessage().getConstraint()
        : "";
    String fix = state.equals(CHECK_VIOLATION)
        ? "the source holds a row its own CHECK did not stop (written with check_constraint_checks off or before the"
            + " check existed, or judged otherwise by MySQL): find it on the source by the check's condition and fix it"
            + " there, or give PostgreSQL's form of the check as checkConstraints." + t.name() + "."
            + (constraint.isEmpty() ? "NAME" : constraint)
            + " (skip leaves it out)"
        : "the source holds NULL where PostgreSQL's column is NOT NULL (a zero date in a NOT NULL column reads as NULL):"
            + " fix the rows on the source";
    return Optional.of(ApplicationFailure.newNonRetryableFailure(
        "table " + t.name() + ", " + rows + ": PostgreSQL refused a source row: " + PostgresErrors.serverMessage(e) + " (SQLSTATE " + state + "); " + fix
            + ". Nothing of these rows was kept",
        FailureTypes.INVALID_INPUT));
  }

  static String select(TablePlan t, KeyRange range) {
    return select(t, ValueSql.where(t, range, true));
  }

  /** The copy's SELECT with a WHERE clause of the caller's (or empty). */
  static String select(TablePlan t, String where) {
    return "SELECT " + t.columns().stream().map(ValueSql::copyExpression).collect(Collectors.joining(", "))
        + " FROM " + ValueSql.mq(t.name()) + where;
  }

  /** COPY of the table's columns into a table given by its quoted, qualified name. */
  static String copyStatement(String qualifiedTable, TablePlan t) {
    return "COPY " + qualifiedTable + " ("
        + t.columns().stream().map(c -> ValueSql.pq(c.name())).collect(Collectors.joining(", "))
        + ") FROM STDIN";
  }

  /**
   * @param source a MySQL connection set up by {@link MySqlSessions}
   * @param target a PostgreSQL connection, in a transaction the caller commits
   */
  ChunkCopied copy(Connection source, Connection target, String schema, TablePlan t, KeyRange range)
      throws SQLException, IOException {
    return copyInto(source, target, t, range, ValueSql.pq(schema) + "." + ValueSql.pq(t.name()));
  }

  /** As above, into the table of this quoted, qualified name. */
  ChunkCopied copyInto(Connection source, Connection target, TablePlan t, KeyRange range, String table)
      throws SQLException, IOException {
    long started = System.nanoTime();
    if (t.textChunks()) {
      copyTextRange(source, target, t, range, table);
    } else {
      try (Statement delete = target.createStatement()) {
        delete.execute("DELETE FROM " + table + ValueSql.where(t, range, false));
      }
      copyRows(source, select(t, range), List.of(), target, copyStatement(table, t), t);
    }
    return new ChunkCopied(rows.get(), bytes.get(), zeroDates, (System.nanoTime() - started) / 1_000_000);
  }

  /**
   * A range of a text key has no bounds PostgreSQL orders as the source does, so nothing can be
   * deleted by them first without touching other ranges' rows: the rows are copied as they are, and
   * where a key is there already (an earlier attempt committed and its answer was lost), the copy is
   * undone and the range's rows upserted instead, replacing the earlier attempt's.
   */
  private void copyTextRange(Connection source, Connection target, TablePlan t, KeyRange range, String table)
      throws SQLException, IOException {
    Savepoint before = target.setSavepoint();
    try {
      copyRows(source, select(t, range), List.of(), target, copyStatement(table, t), t);
    } catch (SQLException e) {
      if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
        throw e;
      }
      target.rollback(before);
      rows.set(0);
      bytes.set(0);
      zeroDates = 0;
      RowRepairer.upsertRows(this, source, target, t, table, select(t, range), List.of());
    }
  }

  /**
   * Streams the rows a MySQL query selects (its columns: {@link ValueSql#copyExpression} of each of
   * the table's columns, with {@code params} bound in order) into a PostgreSQL COPY statement.
   */
  void copyRows(Connection source, String select, List<String> params, Connection target, String copy, TablePlan t)
      throws SQLException, IOException {
    List<ColumnPlan> columns = t.columns();
    int n = columns.size();
    ColumnFamily[] families = columns.stream().map(ColumnPlan::family).toArray(ColumnFamily[]::new);
    PGConnection pg = target.unwrap(PGConnection.class);
    try (OutputStream out = new PGCopyOutputStream(pg, copy, COPY_BUFFER)) {
      stream(source, select, params, out, n, families);
    } catch (IOException e) {
      // The driver reports what PostgreSQL refused in a row (bad input for a type) as an
      // IOException around the server's error: hand that error on, to be classified as the target's.
      if (e.getCause() instanceof SQLException sql) {
        throw sql;
      }
      throw e;
    }
  }

  private void stream(Connection source, String select, List<String> params, OutputStream out, int n, ColumnFamily[] families)
      throws IOException {
    try (PreparedStatement s = source.prepareStatement(select, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
      for (int i = 0; i < params.size(); i++) {
        s.setString(i + 1, params.get(i));
      }
      s.setFetchSize(FETCH_ROWS);
      streaming = s;
      try (ResultSet rs = s.executeQuery()) {
        long count = 0;
        long size = 0;
        while (rs.next()) {
          for (int i = 0; i < n; i++) {
            if (i > 0) {
              out.write('\t');
            }
            size += 1 + write(out, rs.getBytes(i + 1), families[i]);
          }
          out.write('\n');
          count++;
          if ((count & 1023) == 0) {
            rows.set(count);
            bytes.set(size);
          }
        }
        rows.set(count);
        bytes.set(size);
      }
    } catch (SQLException e) {
      throw new SourceException(e);
    } finally {
      streaming = null;
    }
  }

  /** Stops the MySQL stream from another thread (the heartbeat's, when Temporal cancels the step). */
  void cancel() {
    Statement s = streaming;
    if (s != null) {
      try {
        s.cancel();
      } catch (SQLException ignored) {
        // The connection is closed by the step's thread right after; nothing more to do here.
      }
    }
  }

  /** Writes one value as COPY text; returns the bytes written. */
  private int write(OutputStream out, byte[] value, ColumnFamily family) throws IOException {
    if (value == null) {
      out.write(NULL);
      return 2;
    }
    switch (family) {
      case BINARY -> {
        out.write(HEX_PREFIX);
        out.write(value);
        return value.length + 3;
      }
      case DATE, DATETIME, TIMESTAMP -> {
        if (startsWith(value, ZERO_DATE)) {
          zeroDates++;
          out.write(NULL);
          return 2;
        }
        out.write(value);
        if (family == ColumnFamily.TIMESTAMP) {
          out.write(UTC_SUFFIX);
          return value.length + 3;
        }
        return value.length;
      }
      case TEXT, ENUM, SET, JSON, OVERRIDE -> {
        return escaped(out, value);
      }
      default -> {
        out.write(value);
        return value.length;
      }
    }
  }

  /** COPY text escapes: backslash, newline, carriage return and tab; UTF-8 bytes pass as they are. */
  private static int escaped(OutputStream out, byte[] value) throws IOException {
    int start = 0;
    int written = 0;
    for (int i = 0; i < value.length; i++) {
      byte b = value[i];
      byte replacement =
          switch (b) {
            case '\\' -> '\\';
            case '\n' -> 'n';
            case '\r' -> 'r';
            case '\t' -> 't';
            default -> 0;
          };
      if (replacement != 0) {
        out.write(value, start, i - start);
        out.write('\\');
        out.write(replacement);
        written += i - start + 2;
        start = i + 1;
      }
    }
    out.write(value, start, value.length - start);
    return written + value.length - start;
  }

  private static boolean startsWith(byte[] value, byte[] prefix) {
    if (value.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (value[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }
}
