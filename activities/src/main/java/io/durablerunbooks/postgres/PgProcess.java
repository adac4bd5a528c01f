package io.durablerunbooks.postgres;

import io.durablerunbooks.activities.FailureTypes;
import io.durablerunbooks.postgres.PgTools.ClientTool;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running {@code pg_dump} or {@code pg_restore}. The connection goes through libpq's environment
 * (PGHOST, PGPASSWORD, ...), so no secret is on the command line where {@code ps} would show it;
 * stderr is kept, size-capped, for the error message. Closing it kills the process if it still
 * runs: a cancelled or timed-out step leaves no tool behind.
 */
public final class PgProcess implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PgProcess.class);
  private static final int STDERR_LIMIT = 8 * 1024;
  private static final long KILL_WAIT_SECONDS = 10;

  private final ClientTool tool;
  private final Process process;
  private final PostgresConnection db;
  private final String field;
  private final PostgresPools pools;
  private final String applicationName;
  private final Thread stderrReader;
  private final StringBuilder stderr = new StringBuilder();
  private boolean stderrTruncated;

  private PgProcess(
      ClientTool tool,
      Process process,
      PostgresConnection db,
      String field,
      PostgresPools pools,
      String applicationName) {
    this.tool = tool;
    this.process = process;
    this.db = db;
    this.field = field;
    this.pools = pools;
    this.applicationName = applicationName;
    this.stderrReader = new Thread(this::readStderr, tool.name() + "-stderr");
    stderrReader.setDaemon(true);
    stderrReader.start();
  }

  /**
   * Starts {@code tool} connected to {@code db} (PGDATABASE is {@code db}'s database), with the
   * password from {@code pools}; it only reaches the child's environment.
   *
   * @param field the runbook field holding the connection, named in error messages
   */
  public static PgProcess start(
      ClientTool tool, List<String> arguments, PostgresConnection db, String field, PostgresPools pools) {
    String password = pools.password(db, field);
    byte[] tag = new byte[4];
    new SecureRandom().nextBytes(tag);
    String applicationName = "durable-runbooks " + tool.name() + " " + HexFormat.of().formatHex(tag);
    List<String> command = new ArrayList<>();
    command.add(tool.path().toString());
    command.addAll(arguments);
    ProcessBuilder builder = new ProcessBuilder(command);
    Map<String, String> env = builder.environment();
    // Inherited PG* variables (PGSERVICE, PGOPTIONS, ...) would silently change where and how the
    // tool connects; only the connection the runbook names counts.
    env.keySet().removeIf(name -> name.startsWith("PG"));
    env.put("PGHOST", db.host());
    env.put("PGPORT", String.valueOf(db.port()));
    env.put("PGUSER", db.user());
    env.put("PGPASSWORD", password);
    env.put("PGDATABASE", db.database());
    env.put("PGAPPNAME", applicationName);
    env.put("PGCONNECT_TIMEOUT", "10");
    urlParameter(db.url(), "sslmode").ifPresent(mode -> env.put("PGSSLMODE", mode));
    urlParameter(db.url(), "sslrootcert").ifPresent(path -> env.put("PGSSLROOTCERT", path));
    try {
      return new PgProcess(tool, builder.start(), db, field, pools, applicationName);
    } catch (IOException e) {
      throw ApplicationFailure.newNonRetryableFailure(
          tool.name() + " at " + tool.path() + " cannot be started (" + e.getMessage()
              + "); fix its installation on the worker",
          FailureTypes.TOOL_NOT_FOUND);
    }
  }

  /**
   * A libpq {@code dbname=} connection string naming {@code database}: passed as {@code --dbname},
   * it cannot be mistaken for an option or a URI whatever the name holds.
   */
  public static String dbnameConnectionString(String database) {
    return "dbname='" + database.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  public InputStream stdout() {
    return process.getInputStream();
  }

  public OutputStream stdin() {
    return process.getOutputStream();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Waits for the exit and for the last of stderr. */
  public int waitFor() throws InterruptedException {
    int exit = process.waitFor();
    stderrReader.join(TimeUnit.SECONDS.toMillis(KILL_WAIT_SECONDS));
    return exit;
  }

  /** The end of what the tool wrote to stderr, at most a few kilobytes. */
  public String stderr() {
    synchronized (stderr) {
      String text = stderr.toString().strip();
      return stderrTruncated ? "..." + text : text;
    }
  }

  /**
   * The failure for a non-zero exit: connection problems are retryable, refusals that a retry
   * cannot change (password, missing database, privileges, version) are not, anything else gets
   * {@code otherType} and {@code otherRetryable}.
   */
  public ApplicationFailure failure(int exitCode, String otherType, boolean otherRetryable) {
    String output = stderr();
    String lower = output.toLowerCase(Locale.ROOT);
    String message = tool.name() + " exited with status " + exitCode + ": " + (output.isEmpty() ? "(no output)" : output);
    if (lower.contains("password authentication failed")) {
      return ApplicationFailure.newNonRetryableFailure(
          field + ".password: " + message, FailureTypes.AUTHENTICATION_FAILED);
    }
    if (lower.contains("no pg_hba.conf entry") || lower.matches("(?s).*role \".*\" does not exist.*")) {
      return ApplicationFailure.newNonRetryableFailure(field + ".user: " + message, FailureTypes.AUTHENTICATION_FAILED);
    }
    if (lower.matches("(?s).*database \".*\" does not exist.*")) {
      return ApplicationFailure.newNonRetryableFailure(field + ".url: " + message, FailureTypes.DATABASE_NOT_FOUND);
    }
    if (lower.contains("permission denied")) {
      return ApplicationFailure.newNonRetryableFailure(field + ".user: " + message, FailureTypes.PERMISSION_DENIED);
    }
    if (lower.contains("server version mismatch") || lower.contains("unsupported version")) {
      return ApplicationFailure.newNonRetryableFailure(field + ": " + message, FailureTypes.TOOL_TOO_OLD);
    }
    if (lower.contains("connection refused")
        || lower.contains("could not connect")
        || lower.contains("server closed the connection")
        || lower.contains("terminating connection")
        || lower.contains("timeout expired")
        || lower.contains("could not translate host name")) {
      return ApplicationFailure.newFailure(field + ".url: " + message, FailureTypes.DATABASE_UNAVAILABLE);
    }
    return otherRetryable
        ? ApplicationFailure.newFailure(field + ": " + message, otherType)
        : ApplicationFailure.newNonRetryableFailure(field + ": " + message, otherType);
  }

  /** Kills the tool if it still runs, and ends the server sessions it leaves behind. */
  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    process.destroyForcibly();
    try {
      process.waitFor(KILL_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    endServerSessions();
  }

  /**
   * A backend whose client was killed only notices when it next talks to it: one waiting for a lock
   * would stay queued (and hold up others) until the lock is free. Ending it by its
   * application_name, unique to this process, touches nothing else.
   */
  private void endServerSessions() {
    try {
      int ended =
          pools.withConnection(
              db,
              field,
              c -> {
                try (PreparedStatement s =
                    c.prepareStatement(
                        "select count(*) filter (where pg_terminate_backend(pid)) from pg_stat_activity"
                            + " where application_name = ? and pid <> pg_backend_pid()")) {
                  s.setString(1, applicationName);
                  try (ResultSet row = s.executeQuery()) {
                    row.next();
                    return row.getInt(1);
                  }
                }
              });
      log.info("{} killed; ended {} server session(s) it had open", tool.name(), ended);
    } catch (RuntimeException e) {
      log.warn("{} killed; its server session may linger until it next talks to it: {}", tool.name(), e.getMessage());
    }
  }

  private void readStderr() {
    byte[] buffer = new byte[4096];
    try (InputStream in = process.getErrorStream()) {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        String chunk = new String(buffer, 0, n, StandardCharsets.UTF_8);
        synchronized (stderr) {
          stderr.append(chunk);
          if (stderr.length() > STDERR_LIMIT) {
            stderr.delete(0, stderr.length() - STDERR_LIMIT);
            stderrTruncated = true;
          }
        }
      }
    } catch (IOException e) {
      // The stream closes when the process is killed; what was read so far is all there is.
    }
  }

  private static Optional<String> urlParameter(String url, String name) {
    int query = url.indexOf('?');
    if (query < 0) {
      return Optional.empty();
    }
    for (String pair : url.substring(query + 1).split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).equals(name)) {
        return Optional.of(URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return Optional.empty();
  }
}
