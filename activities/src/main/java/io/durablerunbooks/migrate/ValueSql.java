package io.durablerunbooks.migrate;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The SQL each column family is read and compared with. For the copy, MySQL renders every value as
 * the text PostgreSQL's COPY parses. For the checksums, each database renders the same canonical
 * text (docs/migrate-data.md, "Checksums"): binary values as their hex, or as the SHA-256 of their
 * bytes where they may be longer than it, free text preceded by its length in bytes, NULL as {@code
 * N}, so NULL and the empty string differ and no two rows of different values join to the same
 * text; a row is its values joined by commas, hashed with
 * SHA-256 (cheaper than MD5 in MariaDB, as cheap in PostgreSQL) alone or with its range. JSON is
 * left to {@link JsonComparison}.
 */
final class ValueSql {

  private static final Pattern INTEGER = Pattern.compile("-?\\d{1,20}");
  private static final Pattern HEX = Pattern.compile("(?:[0-9a-f]{2})*");
  /** {@code binary(n)} or {@code varbinary(n)}, n in group 1. */
  static final Pattern SIZED_BINARY = Pattern.compile("(?i)(?:var)?binary\\((\\d{1,5})\\)");
  static final String DATETIME_FORMAT = "'%Y-%m-%d %H:%i:%s.%f'";
  /**
   * Floats are compared through their shortest text form as decimals with 20 fractional digits
   * while that fits numeric(65,20), beyond as that text (MySQL writes 1e300, PostgreSQL 1e+300).
   */
  private static final String FLOAT_LIMIT = "1e44";
  /** A comma as a binary string, of a column value's coercibility, so it decides the text's charset. */
  private static final String BINARY_COMMA = "CAST(',' AS BINARY)";

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
   * The canonical text in MySQL. Numbers and dates are left to CONCAT_WS's own conversion, which
   * writes integers and decimals as PostgreSQL's text does and costs half of an explicit format;
   * datetimes and times with a fraction lose its trailing zeros, as PostgreSQL writes them.
   */
  static String mysqlCanonical(ColumnPlan c) {
    String col = mq(c.name());
    return switch (c.family()) {
      case INTEGER, BOOLEAN, DECIMAL -> col;
      case OVERRIDE -> "CAST(" + col + " AS CHAR)";
      case FLOAT ->
          "IF(ABS(" + col + ") < " + FLOAT_LIMIT + ", CAST(CAST(CAST(" + col + " AS CHAR) AS DECIMAL(65,20)) AS CHAR), CAST("
              + col + " AS CHAR))";
      case DATE -> c.nullable() ? "NULLIF(" + col + ", '0000-00-00')" : col;
      case DATETIME, TIMESTAMP -> trimmedFraction(c.nullable() ? "NULLIF(" + col + ", '0000-00-00 00:00:00')" : col, c.width());
      case TIME -> trimmedFraction(col, c.width());
      case YEAR -> "CAST(CAST(" + col + " AS UNSIGNED) AS CHAR)";
      case BINARY -> asHex(c) ? "LOWER(HEX(" + col + "))" : "SHA2(" + col + ", 256)";
      case BIT -> "LPAD(BIN(" + col + "), " + c.width() + ", '0')";
      case TEXT, ENUM, SET, JSON -> c.recodeToUtf8() ? "CONVERT(" + col + " USING utf8mb4)" : col;
    };
  }

  /**
   * Whether a binary column is compared as its bytes in hex rather than their SHA-256: where no
   * value is longer than a SHA-256 (32 bytes: a UUID, a stored hash), so its hex is no longer than
   * the digest's. PostgreSQL's sha256() sets up an OpenSSL context per call: 1.7 us a value on the
   * benchmark's machine against 0.5 us for its hex (BENCHMARKS.md).
   */
  private static boolean asHex(ColumnPlan c) {
    Matcher m = SIZED_BINARY.matcher(c.sourceType());
    return m.matches() && Integer.parseInt(m.group(1)) <= 32;
  }

  /**
   * {@code 12:00:00.120000} as {@code 12:00:00.12}, {@code 12:00:00.000000} as {@code 12:00:00}.
   * Trimmed as bytes: a TRIM of the datetime's text in the connection's collation (utf8mb4's
   * default) compares character by character through it, which cost MariaDB a third of a row's text
   * on a table with two such columns.
   */
  private static String trimmedFraction(String value, int digits) {
    return digits == 0
        ? value
        : "TRIM(TRAILING _binary'.' FROM TRIM(TRAILING _binary'0' FROM CAST(" + value + " AS BINARY)))";
  }

  /**
   * The canonical text in PostgreSQL, as a {@code text} expression. Dates and times are written by
   * their output functions in the ISO DateStyle ({@link #PG_SESSION}), which drop a fraction's
   * trailing zeros; half the cost of {@code to_char}.
   */
  static String pgCanonical(ColumnPlan c) {
    String col = pq(c.name());
    return switch (c.family()) {
      case BOOLEAN -> col + "::int::text";
      case FLOAT ->
          "CASE WHEN abs(" + col + ") < " + FLOAT_LIMIT + " THEN (" + col + "::text)::numeric(65,20)::text ELSE replace("
              + col + "::text, 'e+', 'e') END";
      case TIMESTAMP -> "(" + col + " AT TIME ZONE 'UTC')::text";
      case BINARY -> asHex(c) ? "encode(" + col + ", 'hex')" : "encode(sha256(" + col + "), 'hex')";
      case TEXT, ENUM, SET -> col;
      case INTEGER, DECIMAL, YEAR, BIT, OVERRIDE, DATE, DATETIME, TIME, JSON -> col + "::text";
    };
  }

  /**
   * The canonical value as concat_ws takes it, which writes any type by its output function: no
   * cast to {@code text} where the output function writes the canonical text already.
   */
  private static String pgValue(ColumnPlan c) {
    String col = pq(c.name());
    return switch (c.family()) {
      case INTEGER, DECIMAL, YEAR, BIT, DATE, DATETIME, TIME -> col;
      case BOOLEAN -> col + "::int";
      case TIMESTAMP -> "(" + col + " AT TIME ZONE 'UTC')";
      default -> pgCanonical(c);
    };
  }

  /** What the target's canonical text of dates and times needs of the session. */
  static final String PG_SESSION = "SET datestyle = 'ISO, YMD'";

  /**
   * Whether a family's canonical text may hold any character. Those are preceded by their length
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
   * A row's canonical text in MySQL: its values joined by commas, NULL as {@code N}, each free text
   * preceded by its length in bytes as a value of its own (NULL: the length {@code N} and no text,
   * as CONCAT_WS skips NULLs). A value that cannot be NULL skips the NULL marker's COALESCE; a zero
   * date reads as NULL only in a nullable column, as only there the copy made it NULL (in a NOT NULL
   * column it cannot be copied, and its text differs from any the target holds).
   *
   * <p>The separator is binary, which makes the whole text binary: the same bytes, but GROUP_CONCAT
   * then stores each row's text by a plain copy instead of checking it, character by character, to
   * be well-formed utf8mb4 (a sixth of MariaDB's time on a table of integers, decimals and text).
   */
  static String mysqlRowText(List<ColumnPlan> columns) {
    return mysqlRowText(columns, List.of());
  }

  /** The same, followed by the values of {@code more}, expressions that are never NULL. */
  static String mysqlRowText(List<ColumnPlan> columns, List<String> more) {
    if (columns.isEmpty() && more.isEmpty()) {
      return "''";
    }
    return "CONCAT_WS(" + BINARY_COMMA
        + more.stream().map(m -> ", " + m).collect(Collectors.joining())
        + columns.stream()
            .map(c -> {
              String x = mysqlCanonical(c);
              if (freeText(c.family())) {
                return ", " + (c.nullable() ? "COALESCE(LENGTH(" + x + "), 'N')" : "LENGTH(" + x + ")") + ", " + x;
              }
              return ", " + (c.nullable() ? "COALESCE(" + x + ", 'N')" : x);
            })
            .collect(Collectors.joining())
        + ")";
  }

  /**
   * The same text in PostgreSQL. Its NOT NULL columns hold no NULL (a MySQL zero date in a NOT NULL
   * column cannot be copied), so only nullable ones are marked.
   */
  static String pgRowText(List<ColumnPlan> columns) {
    return pgRowText(columns, List.of());
  }

  static String pgRowText(List<ColumnPlan> columns, List<String> more) {
    if (columns.isEmpty() && more.isEmpty()) {
      return "''";
    }
    return "concat_ws(','"
        + more.stream().map(m -> ", " + m).collect(Collectors.joining())
        + columns.stream()
            .map(c -> {
              if (freeText(c.family())) {
                String x = pgCanonical(c);
                return ", " + (c.nullable() ? "coalesce(octet_length(" + x + ")::text, 'N')" : "octet_length(" + x + ")") + ", " + x;
              }
              return ", " + (c.nullable() ? "coalesce(" + pgCanonical(c) + ", 'N')" : pgValue(c));
            })
            .collect(Collectors.joining())
        + ")";
  }

  /** The SHA-256 (hex) of a row's canonical text, in MySQL. */
  static String mysqlRowHash(List<ColumnPlan> columns) {
    return "SHA2(" + mysqlRowText(columns) + ", 256)";
  }

  static String pgRowHash(List<ColumnPlan> columns) {
    return "encode(sha256(textsend(" + pgRowText(columns) + ")), 'hex')";
  }

  /**
   * A row's primary key as one text, the same on both sides: the canonical values, comma-joined,
   * but a binary key column in hex, as the report lists it for the row to be found (a UUID in
   * {@code binary(16)}), not as the SHA-256 a row's checksum takes of binary values.
   */
  static String mysqlKey(TablePlan t) {
    return "CONCAT_WS(',', "
        + keyColumns(t).stream()
            .map(c -> c.family() == ColumnFamily.BINARY ? "LOWER(HEX(" + mq(c.name()) + "))" : mysqlCanonical(c))
            .collect(Collectors.joining(", "))
        + ")";
  }

  static String pgKey(TablePlan t) {
    return "concat_ws(',', "
        + keyColumns(t).stream()
            .map(c -> c.family() == ColumnFamily.BINARY ? "encode(" + pq(c.name()) + ", 'hex')" : pgCanonical(c))
            .collect(Collectors.joining(", "))
        + ")";
  }

  /** The primary key's columns, quoted for MySQL or PostgreSQL and comma-separated, in key order. */
  static String keyList(TablePlan t, boolean mysql) {
    return t.primaryKey().stream().map(mysql ? ValueSql::mq : ValueSql::pq).collect(Collectors.joining(", "));
  }

  private static List<ColumnPlan> keyColumns(TablePlan t) {
    return t.primaryKey().stream()
        .map(k -> t.columns().stream().filter(c -> c.name().equals(k)).findFirst().orElseThrow())
        .toList();
  }

  /**
   * {@code WHERE} for a key range (empty for the whole table), with the bounds as literals. A text
   * key's bounds compare by each engine's collation, so on PostgreSQL they may hold other rows than
   * on the source ({@link TableVerifier} checks which).
   */
  static String where(TablePlan t, KeyRange range, boolean mysql) {
    if (!t.chunked()) {
      return "";
    }
    String key = mysql ? mq(t.chunkKey()) : pq(t.chunkKey());
    StringBuilder w = new StringBuilder();
    if (!range.openBelow()) {
      w.append(key).append(" > ").append(bound(t, range.after(), mysql));
    }
    if (!range.openAbove()) {
      w.append(w.length() == 0 ? "" : " AND ").append(key).append(" <= ").append(bound(t, range.upTo(), mysql));
    }
    return w.length() == 0 ? "" : " WHERE " + w;
  }

  /**
   * The chunk key's value as a range bound, as MySQL selects it: the integer, a binary key's bytes
   * in hex after an {@code x}, or a text key's UTF-8 (a latin1 key's converted) in hex after a
   * {@code t} (never empty, as an empty bound is an open one).
   */
  static String mysqlBound(TablePlan t) {
    if (t.binaryChunks()) {
      return "CONCAT('x', LOWER(HEX(" + mq(t.chunkKey()) + ")))";
    }
    return t.textChunks() ? "CONCAT('t', LOWER(HEX(" + mysqlCanonical(keyColumns(t).get(0)) + ")))" : mq(t.chunkKey());
  }

  /**
   * A bound inlined into SQL: checked to be an integer, {@code x} and hex, or {@code t} and hex, so
   * it cannot be anything else. A text bound is a utf8mb4 literal of the key's bytes, which takes the
   * column's collation, so the comparison runs on the key's index in the source's order.
   */
  private static String bound(TablePlan t, String bound, boolean mysql) {
    if (t.binaryChunks() || t.textChunks()) {
      String prefix = t.binaryChunks() ? "x" : "t";
      if (!bound.startsWith(prefix)) {
        throw new IllegalArgumentException("a " + (t.binaryChunks() ? "binary" : "text") + " key bound must be " + prefix
            + " and hex digits, got " + bound);
      }
      String literal = binaryLiteral(bound.substring(1), mysql);
      if (!t.textChunks()) {
        return literal;
      }
      // PostgreSQL plans a string literal's range on the key's index; an expression's (convert_from
      // of the bytes) it cannot estimate, and scans and sorts the whole table for it.
      return mysql ? "_utf8mb4 " + literal : SchemaConverter.pgLiteral(new String(HexFormat.of().parseHex(bound.substring(1)), StandardCharsets.UTF_8));
    }
    if (!INTEGER.matcher(bound).matches()) {
      throw new IllegalArgumentException("a key bound must be an integer, got " + bound);
    }
    return bound;
  }

  /**
   * The condition on a text key that selects these keys, as a parameter for the key list: MySQL's
   * {@code IN} of one {@code ?} per key, PostgreSQL's {@code = ANY (?)} of one text array.
   */
  static String keyIn(TablePlan t, int keys, boolean mysql) {
    return mysql
        ? mq(t.chunkKey()) + " IN (" + String.join(", ", Collections.nCopies(keys, "?")) + ")"
        : pq(t.chunkKey()) + " = ANY (?)";
  }

  /** Bytes given in lowercase hex as a literal of the engine's binary type; checked to be hex. */
  static String binaryLiteral(String hex, boolean mysql) {
    if (!HEX.matcher(hex).matches()) {
      throw new IllegalArgumentException("binary key bytes in lowercase hex were expected, got " + hex);
    }
    return mysql ? "X'" + hex + "'" : "'\\x" + hex + "'::bytea";
  }
}
