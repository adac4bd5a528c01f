package io.durablerunbooks.migrate;

import io.durablerunbooks.activities.Sha256;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The JSON part of a range's checksum. Equal JSON must hash equal however it was written, and
 * neither engine renders the other's normal form (MariaDB's JSON_NORMALIZE differs from
 * {@code jsonb}'s), so both sides hash {@code jsonb}'s text: the target renders it in SQL, and the
 * worker renders the source's JSON text the same way ({@link JsonbText}) as it streams from a second
 * source connection. A row's text: each value's {@code jsonb} text ({@code N} for NULL, {@code !}
 * and the text as stored for text that is not JSON), separated by a byte {@code jsonb} text never
 * holds. A range of a table split on one integer key is hashed whole, as the rest of its checksum:
 * the SHA-256 of its rows' texts in key order, joined by newlines, rows whose JSON values are all
 * NULL left out on both sides; which rows those are, the rest of the checksum says ({@link
 * #sourcePresence}), so the texts need no key. Any other range is the XOR of the first 64 bits of
 * each row's SHA-256, the row's text then led by its key (a table without a key: the sum of their
 * first 60).
 */
final class JsonComparison {

  private static final int FETCH_ROWS = 1_000;
  private static final HexFormat HEX = HexFormat.of();

  /** The aggregate of the source's digests, as {@link TableVerifier#part} writes it, and its time. */
  record Part(String digest, long millis) {}

  private final Connection source;
  private final String sourceRows;
  private final int columns;
  private final boolean keyed;
  private final String targetRow;
  private final String targetJsonRow;
  private final String sourceJsonRows;
  private final String sourceOrder;
  private final String sourceValues;
  private final Optional<String> sourcePresence;
  private final Optional<String> targetPresence;

  JsonComparison(Connection source, TablePlan t, List<ColumnPlan> json) {
    this.source = source;
    this.keyed = !t.primaryKey().isEmpty();
    this.columns = json.size();
    this.sourceRows =
        "SELECT " + (keyed ? ValueSql.mysqlKey(t) : "''")
            + json.stream().map(c -> ", " + ValueSql.copyExpression(c)).collect(Collectors.joining()) + " FROM "
            + ValueSql.mq(t.name());
    this.targetRow =
        (keyed ? ValueSql.pgKey(t) : "''")
            + json.stream().map(c -> " || chr(1) || coalesce(" + ValueSql.pq(c.name()) + "::text, 'N')").collect(Collectors.joining());
    this.sourceOrder = t.chunked() ? " ORDER BY " + ValueSql.keyList(t, true) : "";
    this.sourceValues = "SELECT " + json.stream().map(ValueSql::copyExpression).collect(Collectors.joining(", ")) + " FROM " + ValueSql.mq(t.name());
    // A single column's text is NULL where it is: string_agg leaves the row out without a CASE.
    // With the key's text and the concatenations, this part cost PostgreSQL half as much again.
    this.targetJsonRow = json.size() == 1
        ? ValueSql.pq(json.get(0).name()) + "::text"
        : "CASE WHEN num_nonnulls(" + json.stream().map(c -> ValueSql.pq(c.name())).collect(Collectors.joining(", ")) + ") = 0 THEN NULL ELSE "
            + json.stream().map(c -> "coalesce(" + ValueSql.pq(c.name()) + "::text, 'N')").collect(Collectors.joining(" || chr(1) || ")) + " END";
    this.sourceJsonRows = "(" + json.stream().map(c -> ValueSql.mq(c.name()) + " IS NOT NULL").collect(Collectors.joining(" OR ")) + ")";
    boolean everyRowHasJson = json.stream().noneMatch(ColumnPlan::nullable);
    this.sourcePresence = everyRowHasJson ? Optional.empty() : Optional.of(sourceJsonRows);
    this.targetPresence = everyRowHasJson
        ? Optional.empty()
        : Optional.of("(" + json.stream().map(c -> ValueSql.pq(c.name()) + " IS NOT NULL").collect(Collectors.joining(" OR ")) + ")::int");
  }

  /**
   * For a range hashed whole: whether the row holds any JSON value, as a value of the rest of its
   * checksum in MySQL (1 or 0), which places the key-less JSON texts on their rows; empty where
   * every JSON column is NOT NULL, so every row has its text.
   */
  Optional<String> sourcePresence() {
    return sourcePresence;
  }

  /** The same in PostgreSQL. */
  Optional<String> targetPresence() {
    return targetPresence;
  }

  /** The target's per-row digest, a hex text, as a SQL expression over the target table's columns. */
  String targetDigest() {
    return "encode(sha256(textsend(" + targetRow + ")), 'hex')";
  }

  /**
   * The target's row text, as a SQL expression over the target table's columns, for
   * {@link #targetJoinedDigest}: the values alone; NULL, so left out, for a row whose JSON values
   * are all NULL, as the source's such rows are not read, and {@link #targetPresence} in the rest of
   * the row's checksum says which rows those are.
   */
  String targetJsonRow() {
    return targetJsonRow;
  }

  /**
   * The SHA-256 (hex) of the target's row texts in a derived column {@code column}, read in key
   * order, joined by newlines, which {@link #orderedDigest} computes of the source's: for a table
   * split on one integer key, one hash per range instead of one per row.
   */
  String targetJoinedDigest(String column) {
    return "encode(sha256(textsend(string_agg(" + column + ", chr(10)))), 'hex')";
  }

  /** The aggregate of the target's per-row digests, over a derived column {@code column}. */
  String targetAggregate(String column) {
    return keyed
        ? "coalesce(bit_xor(('x' || substr(" + column + ", 1, 16))::bit(64)::bigint), 0)"
        : "coalesce(sum(('x' || substr(" + column + ", 1, 15))::bit(60)::bigint), 0)";
  }

  /** The source's part for the rows {@code where} selects. */
  Part aggregate(String where) throws SQLException {
    long started = System.nanoTime();
    // The XOR, or the sum as 128 bits: the low 64 (unsigned) and their carries.
    long[] low = {0};
    long[] high = {0};
    each(where, (key, digest) -> {
      long first = first64(digest);
      if (keyed) {
        low[0] ^= first;
      } else {
        low[0] += first >>> 4;
        if (Long.compareUnsigned(low[0], first >>> 4) < 0) {
          high[0]++;
        }
      }
    });
    BigInteger total = BigInteger.valueOf(high[0]).shiftLeft(64).add(new BigInteger(Long.toUnsignedString(low[0])));
    return new Part(total.toString(), (System.nanoTime() - started) / 1_000_000);
  }

  /**
   * The source's part for the rows {@code where} selects of a table split on one integer key, as
   * {@link #targetJoinedDigest}: the rows read in key order, hashed as one text; empty for no rows.
   */
  Part orderedDigest(String where) throws SQLException {
    long started = System.nanoTime();
    MessageDigest sha256 = Sha256.newDigest();
    long[] rows = {0};
    rows(sourceValues, false, (where.isEmpty() ? " WHERE " : where + " AND ") + sourceJsonRows + sourceOrder, (key, text) -> {
      if (rows[0]++ > 0) {
        sha256.update((byte) '\n');
      }
      sha256.update(text.a, 0, text.size);
    });
    return new Part(rows[0] == 0 ? "" : Sha256.hex(sha256), (System.nanoTime() - started) / 1_000_000);
  }

  /** The source's per-row digests (hex, as the target's), by key. */
  Map<String, String> digests(String where) throws SQLException {
    Map<String, String> digests = new HashMap<>();
    each(where, (key, digest) -> digests.put(new String(key, StandardCharsets.UTF_8), HEX.formatHex(digest)));
    return digests;
  }

  @FunctionalInterface
  private interface RowDigest {
    void accept(byte[] key, byte[] digest);
  }

  private void each(String where, RowDigest consumer) throws SQLException {
    MessageDigest sha256 = Sha256.newDigest();
    rows(sourceRows, true, where, (key, text) -> {
      sha256.update(text.a, 0, text.size);
      consumer.accept(key, sha256.digest());
    });
  }

  @FunctionalInterface
  private interface RowText {
    void accept(byte[] key, JsonbText.Bytes text);
  }

  /**
   * Each source row's text as {@link #targetRow} writes the target's (its key, then each value's
   * jsonb text), or, {@code withKey} false, as {@link #targetJsonRow} does (the values alone), the
   * key then not read and given to the consumer empty.
   */
  private void rows(String select, boolean withKey, String where, RowText consumer) throws SQLException {
    JsonbText renderer = new JsonbText();
    JsonbText.Bytes text = new JsonbText.Bytes(1024);
    byte[] noKey = new byte[0];
    int first = withKey ? 2 : 1;
    try (Statement s = source.createStatement()) {
      s.setFetchSize(FETCH_ROWS);
      try (ResultSet rs = s.executeQuery(select + where)) {
        while (rs.next()) {
          byte[] key = withKey ? rs.getBytes(1) : noKey;
          text.size = 0;
          text.add(key, 0, key.length);
          for (int i = 0; i < columns; i++) {
            if (withKey || i > 0) {
              text.add(1);
            }
            byte[] value = rs.getBytes(i + first);
            if (value == null) {
              text.add('N');
            } else if (!renderer.render(value, 0, value.length, text)) {
              text.add('!');
              text.add(value, 0, value.length);
            }
          }
          consumer.accept(key, text);
        }
      }
    }
  }

  private static long first64(byte[] digest) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (digest[i] & 0xff);
    }
    return v;
  }
}
