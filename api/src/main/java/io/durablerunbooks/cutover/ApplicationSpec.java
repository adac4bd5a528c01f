package io.durablerunbooks.cutover;

import io.durablerunbooks.ssh.SshAccess;
import io.durablerunbooks.ssh.SshHost;
import java.time.Duration;
import java.util.Objects;

/**
 * The application a cutover moves, reached over SSH: its environment file, the line that names
 * its database, and how it picks up a change.
 *
 * @param envFile absolute path of the KEY=value file the application reads its settings from
 * @param variable the key whose value names the database, e.g. {@code DATABASE_URL}
 * @param mysqlValue the value while on MySQL: a literal, or a secret reference when the value
 *     holds a password; the preflight requires the file to hold it
 * @param postgresValue the value on PostgreSQL, a literal or a secret reference
 * @param reload the command, run on the host after the file changed, that makes the application
 *     read it (a reload or restart); it must exit 0 only once the application serves again
 * @param url the application's base URL, as the worker reaches it
 */
public record ApplicationSpec(
    SshHost host,
    SshAccess access,
    String envFile,
    String variable,
    String mysqlValue,
    String postgresValue,
    String reload,
    Duration reloadTimeout,
    String url,
    AppChecks checks) {

  public ApplicationSpec {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(access, "access");
    Objects.requireNonNull(envFile, "envFile");
    Objects.requireNonNull(variable, "variable");
    Objects.requireNonNull(mysqlValue, "mysqlValue");
    Objects.requireNonNull(postgresValue, "postgresValue");
    Objects.requireNonNull(reload, "reload");
    Objects.requireNonNull(reloadTimeout, "reloadTimeout");
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(checks, "checks");
  }

  /** The value for an engine. */
  public String value(Engine engine) {
    return engine == Engine.MYSQL ? mysqlValue : postgresValue;
  }

  /** Where the file's content before the cutover is kept on the host. */
  public String keptFile() {
    return envFile + ".before-cutover";
  }
}
