package io.durablerunbooks.cutover;

import io.durablerunbooks.postgres.PostgresConnection;
import io.durablerunbooks.runbook.RunbookHeader;
import java.util.List;
import java.util.Objects;

/**
 * What the post-cutover watch samples: the application, and PostgreSQL's statements and tables.
 *
 * @param baselineP95Millis the application's p95 on MySQL before the cutover
 * @param switchedAt when the application was switched (ISO-8601)
 */
public record WatchSpec(
    RunbookHeader header,
    ApplicationSpec application,
    PostgresConnection target,
    String schema,
    List<String> tables,
    WatchOptions options,
    long baselineP95Millis,
    String switchedAt) {

  public WatchSpec {
    Objects.requireNonNull(header, "header");
    Objects.requireNonNull(application, "application");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(switchedAt, "switchedAt");
    tables = List.copyOf(tables);
  }
}
