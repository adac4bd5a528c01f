package io.durablerunbooks.cutover;

import java.time.Duration;
import java.util.Objects;

/**
 * How the cutover checks the application from end to end: a health check, a read, and a write of
 * a marked row that is then found in the database the application should be on (and not in the
 * other one), then deleted through the application.
 *
 * @param write the path a POST creates a row at, e.g. {@code /api/items}
 * @param writeBody the POST's JSON body, with {@code {marker}} where the marker text goes
 * @param idField the field of the POST's JSON answer that holds the new row's id
 * @param delete the path a DELETE removes the row at, with {@code {id}} for its id
 * @param table the table the marked row lands in
 * @param column the column that holds the marker text
 * @param healthyWithin how long after a reload the health check may take to pass
 * @param timeout for each request
 */
public record AppChecks(
    String health,
    String read,
    String write,
    String writeBody,
    String idField,
    String delete,
    String table,
    String column,
    Duration healthyWithin,
    Duration timeout) {

  public static final String MARKER = "{marker}";
  public static final String ID = "{id}";

  public AppChecks {
    Objects.requireNonNull(health, "health");
    Objects.requireNonNull(read, "read");
    Objects.requireNonNull(write, "write");
    Objects.requireNonNull(writeBody, "writeBody");
    Objects.requireNonNull(idField, "idField");
    Objects.requireNonNull(delete, "delete");
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(column, "column");
    Objects.requireNonNull(healthyWithin, "healthyWithin");
    Objects.requireNonNull(timeout, "timeout");
  }
}
