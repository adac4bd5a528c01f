package io.durablerunbooks.migrate;

import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The SQL each column family is read and compared with. For the copy, MySQL renders every value as
 * the text PostgreSQL's COPY parses. For the checksums, each database renders the same canonical
 * text (docs/migrate-data.md, "Checksums"): binary values as the MD5 of their bytes, free text as
 * {@code <bytes>:<text>}, NULL as {@code N}, so NULL and the empty string differ and no two rows of
 * different values concatenate to the same text; a row is the MD5 of its encoded values joined by
 * commas. JSON is left to {@link JsonDigest}: the canonical expressions of a JSON column are its
 * text as each database gives it.
 */
final class ValueSql {

  private static final Pattern INTEGER = Pattern.compile("-?\\d{1,20}");
  static final String DATETIME_FORMAT = "'%Y-%m-%d %H:%i:%s.%f'";
  private static final String PG_DATETIME_FORMAT = "'YYYY-MM-DD HH24:MI:SS.US'";
  /**
   * Floats are compared through their shortest text form as decimals with 20 fractional digits
   * while that fits numeric(65,20), beyond as that text (MySQL writes 1e300, PostgreSQL 1e+300).
   */
  private static final String FLOAT_LIMIT = "1e44";

  private ValueSql() {}

  static String mq(String identifier) {
    return "`" + identifier.replace("`", "``") + "`";
  }

  static String pq(String identifier) {
    return SchemaConverter.q(identifier);
  }

  /**
   * The MySQL expression whose text COPY takes for the column (NULL stays NULL); always a string,
   * so the driver hands over its bytes as they are.
   */
  static String copyExpression(ColumnPlan c) {
    String col = mq(c.name());
    return switch (c.family()) {
      case DATE -> "DATE_FORMAT(" + col + ", '%Y-%m-%d')";
      case DATETIME, TIMESTAMP -> "DATE_FORMAT(" + col + ", " + DATETIME_FORMAT + ")";
      case TIME -> "TIME_FORMAT(" + col + ", '%H:%i:%s.%f')";
      case INTEGER, BOOLEAN, DECIMAL, FLOAT -> "CAST(" + col + " AS CHAR)";
      case YEAR -> "CAST(CAST(" + col + " AS UNSIGNED) AS CHAR)";
      case BINARY -> "HEX(" + col + ")";
      case BIT -> "LPAD(BIN(" + col + "), " + c.width() + ", '0')";
      case OVERRIDE -> "CAST(" + col + " AS CHAR)";
      case TEXT, ENUM, SET, JSON -> c.recodeToUtf8() ? "CONVERT(" + col + " USING utf8mb4)" : col;
    };
  }

  /**
   * The canonical text in MySQL. Numbers, datetimes and times are left to CONCAT_WS's own
   * conversion, which writes integers and decimals as PostgreSQL's text does, datetimes with their
   * declared fractional digits, and costs half of an explicit format.
   */
  static String mysqlCanonical(ColumnPlan c) {
    String col = mq(c.name());
    return switch (c.family()) {
      case INTEGER, BOOLEAN, DECIMAL, TIME -> col;
      case OVERRIDE -> "CAST(" + col + " AS CHAR)";
      case FLOAT ->
          "IF(ABS(" + col + ") < " + FLOAT_LIMIT + ", CAST(CAST(CAST(" + col + " AS CHAR) AS DECIMAL(65,20)) AS CHAR), CAST("
              + col + " AS CHAR))";
      case DATE -> "NULLIF(" + col + ", '0000-00-00')";
      case DATETIME, TIMESTAMP -> "NULLIF(" + col + ", '0000-00-00 00:00:00')";
      case YEAR -> "CAST(CAST(" + col + " AS UNSIGNED) AS CHAR)";
      case BINARY -> "MD5(" + col + ")";
      case BIT -> "LPAD(BIN(" + col + "), " + c.width() + ", '0')";
      case TEXT, ENUM, SET, JSON -> c.recodeToUtf8() ? "CONVERT(" + col + " USING utf8mb4)" : col;
    };
  }

  static String pgCanonical(ColumnPlan c) {
    String col = pq(c.name());
    return switch (c.family()) {
      case INTEGER, DECIMAL, YEAR, BIT, OVERRIDE -> col + "::text";
      case BOOLEAN -> "CASE WHEN " + col + " THEN '1' ELSE '0' END";
      case FLOAT ->
          "CASE WHEN abs(" + col + ") < " + FLOAT_LIMIT + " THEN (" + col + "::text)::numeric(65,20)::text ELSE replace("
              + col + "::text, 'e+', 'e') END";
      case DATE -> "to_char(" + col + ", 'YYYY-MM-DD')";
      case DATETIME -> fraction("to_char(" + col + ", 'YYYY-MM-DD HH24:MI:SS.US')", 19, c.width());
      case TIMESTAMP -> fraction("to_char(" + col + " AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')", 19, c.width());
      case TIME -> fraction("to_char(" + col + ", 'HH24:MI:SS.US')", 8, c.width());
      case BINARY -> "md5(" + col + ")";
      case TEXT, ENUM, SET -> col;
      case JSON -> col + "::text";
    };
  }

  /** A time with microseconds cut to the column's fractional digits, as MySQL writes it. */
  private static String fraction(String withMicros, int whole, int digits) {
    return digits >= 6 ? withMicros : "left(" + withMicros + ", " + (digits == 0 ? whole : whole + 1 + digits) + ")";
  }

  /**
   * Whether a family's canonical text may hold any character. Those are written with their length
   * in bytes; the others (digits, dates, hex digests, bits) can hold neither the separator nor the
   * NULL marker, so they need none.
   */
  static boolean freeText(ColumnFamily family) {
    return switch (family) {
      case TEXT, ENUM, SET, OVERRIDE -> true;
      default -> false;
    };
  }

  /**
   * The MD5 of a row's encoded values, in MySQL. A value that cannot be NULL skips the NULL marker's
   * COALESCE, except dates, whose zero value reads as NULL.
   */
  static String mysqlRowHash(List<ColumnPlan> columns) {
    if (columns.isEmpty()) {
      return "MD5('')";
    }
    return "MD5(CONCAT_WS(','"
        + columns.stream()
            .map(c -> {
              String x = mysqlCanonical(c);
              return ", " + nullMarked(c, freeText(c.family()) ? "CONCAT(LENGTH(" + x + "), ':', " + x + ")" : x);
            })
            .collect(Collectors.joining())
        + "))";
  }

  static String pgRowHash(List<ColumnPlan> columns) {
    if (columns.isEmpty()) {
      return "md5('')";
    }
    return "md5(concat_ws(','"
        + columns.stream()
            .map(c -> {
              String x = pgCanonical(c);
              return ", " + nullMarked(c, freeText(c.family()) ? "octet_length(" + x + ")::text || ':' || " + x : x);
            })
            .collect(Collectors.joining())
        + "))";
  }

  private static String nullMarked(ColumnPlan c, String encoded) {
    boolean mayBeNull =
        c.nullable() || c.family() == ColumnFamily.DATE || c.family() == ColumnFamily.DATETIME || c.family() == ColumnFamily.TIMESTAMP;
    return mayBeNull ? "COALESCE(" + encoded + ", 'N')" : encoded;
  }

  /** A row's primary key as one text, the same on both sides: the canonical values, comma-joined. */
  static String mysqlKey(TablePlan t) {
    return "CONCAT_WS(',', " + keyColumns(t).stream().map(ValueSql::mysqlCanonical).collect(Collectors.joining(", ")) + ")";
  }

  static String pgKey(TablePlan t) {
    return "concat_ws(',', " + keyColumns(t).stream().map(ValueSql::pgCanonical).collect(Collectors.joining(", ")) + ")";
  }

  private static List<ColumnPlan> keyColumns(TablePlan t) {
    return t.primaryKey().stream()
        .map(k -> t.columns().stream().filter(c -> c.name().equals(k)).findFirst().orElseThrow())
        .toList();
  }

  /** {@code WHERE} for a key range (empty for the whole table), with the bounds as literals. */
  static String where(TablePlan t, KeyRange range, boolean mysql) {
    if (!t.chunked()) {
      return "";
    }
    String key = mysql ? mq(t.chunkKey()) : pq(t.chunkKey());
    StringBuilder w = new StringBuilder();
    if (!range.openBelow()) {
      w.append(key).append(" > ").append(integer(range.after()));
    }
    if (!range.openAbove()) {
      w.append(w.length() == 0 ? "" : " AND ").append(key).append(" <= ").append(integer(range.upTo()));
    }
    return w.length() == 0 ? "" : " WHERE " + w;
  }

  /** A bound inlined into SQL: checked to be an integer, so the text cannot be anything else. */
  private static String integer(String bound) {
    if (!INTEGER.matcher(bound).matches()) {
      throw new IllegalArgumentException("a key bound must be an integer, got " + bound);
    }
    return bound;
  }
}
