package io.durablerunbooks.migrate;

/**
 * The way back, PostgreSQL to MySQL, for copying a cutover's writes back: each value read from
 * PostgreSQL as the text MySQL takes for its column (UTC times, as MySQL's sessions here run in
 * UTC; booleans as 0/1; binary as hex), and the placeholder MySQL turns that text back into the
 * column's value with.
 */
final class ReverseSql {

  private ReverseSql() {}

  /** The text of a column of the row aliased {@code alias}; NULL stays NULL. */
  static String text(ColumnPlan c, String alias) {
    String col = alias + "." + ValueSql.pq(c.name());
    return switch (c.family()) {
      case BOOLEAN -> "CASE WHEN " + col + " THEN '1' WHEN NOT " + col + " THEN '0' END";
      case DATE -> "to_char(" + col + ", 'YYYY-MM-DD')";
      case DATETIME -> "to_char(" + col + ", 'YYYY-MM-DD HH24:MI:SS.US')";
      case TIMESTAMP -> "to_char(" + col + " AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')";
      case TIME -> "to_char(" + col + ", 'HH24:MI:SS.US')";
      case BINARY -> "encode(" + col + ", 'hex')";
      default -> col + "::text";
    };
  }

  static String parameter(ColumnPlan c) {
    return switch (c.family()) {
      case BINARY -> "UNHEX(?)";
      case BIT -> "CAST(CONV(?, 2, 10) AS UNSIGNED)";
      default -> "?";
    };
  }
}
