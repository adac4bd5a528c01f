package io.durablerunbooks.migrate;

import io.durablerunbooks.migrate.MigrateSpec.VerifyOptions;
import java.io.IOException;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import org.postgresql.PGStatement;

/**
 * Walks a table's key space in ranges and compares each range's row count and checksum, computed
 * inside each database at the same time. The checksum of a range of a table split into ranges is
 * the SHA-256 of its rows' canonical texts joined in key order (one hash per range: a hash per row
 * cost PostgreSQL more than the text); of any other table, and of a text key's range whose order the
 * engines' collations do not share (compared by the source's keys in it), the XOR of the first 64
 * bits of every row's SHA-256 (rows are distinct, as the key is part of them), or without a key,
 * where a row may repeat, the sums of two 60-bit slices: independent of the order rows are read in.
 * A single changed byte changes either. A range that differs is compared row by row (primary
 * key and SHA-256 from each side) to list the keys; that comparison, not the range's checksum, is
 * the verdict. Range sizes follow the time the queries take, aiming at
 * {@code queryTime}; when the source serves a range's rows (finding the range's end and its
 * checksum) at less than a third of the best rate it managed on this table, it is busy with other
 * work, and the verifier pauses as long as the source took, so it takes at most about half of a busy
 * source's time.
 */
final class TableVerifier {

  private static final int FIRST_STEP = 5_000;
  private static final int MIN_STEP = 500;
  private static final int MAX_STEP = 2_000_000;
  /** A range's texts joined, written twice in a query and computed once: PostgreSQL shares equal aggregates. */
  private static final String PG_JOINED = "string_agg(t, ';')";

  /**
   * The share of MySQL's longest string (max_allowed_packet, 16 MiB by default, caps GROUP_CONCAT)
   * a range's joined text is sized to; a range cut short would differ and be compared row by row.
   */
  private static final double TEXT_SHARE = 0.75;

  /**
   * Where a verification stands; heartbeated, so a retried attempt goes on from {@code after}.
   *
   * @param rangesByRow the ranges whose checksums differed, so were compared row by row
   * @param rangesByKeys the ranges of a text key compared by the source's keys in them, as the
   *     target did not order their rows as the source does
   * @param keysPerRow the key span per row of the last bounded range, for sizing the next one
   */
  public record Progress(
      String after,
      boolean done,
      int ranges,
      int rangesByRow,
      int rangesByKeys,
      int step,
      long sourceRows,
      long targetRows,
      long differingRows,
      List<RowDifference> listed,
      double bestRowsPerMilli,
      double keysPerRow) {

    static Progress start() {
      return new Progress("", false, 0, 0, 0, FIRST_STEP, 0, 0, 0, List.of(), 0, 0);
    }
  }

  /**
   * One side's aggregate of a range: its rows, the two parts of the checksum of its rows' non-JSON
   * values, and the part of its JSON values ({@link JsonComparison}), each as text: a hex digest, or
   * the decimal of an unsigned sum or XOR; empty for none.
   */
  private record Sums(long rows, String a, String b, String json, long textBytes, long millis) {

    boolean sameAs(Sums other) {
      return rows == other.rows && a.equals(other.a) && b.equals(other.b) && json.equals(other.json);
    }

    /** With the JSON part the worker computed alongside, on the source's second connection. */
    Sums withJson(JsonComparison.Part part) {
      return new Sums(rows, a, b, part.digest(), textBytes, Math.max(millis, part.millis()));
    }
  }

  /**
   * What one side is asked for a range: its checksum query, and its per-row digests query; whether
   * the checksum's parts are hex digests (else numbers).
   */
  private record Side(Connection connection, String sums, String hashes, boolean digests, Optional<List<String>> keys) {}

  private final ExecutorService threads;
  private volatile Progress progress;

  TableVerifier(ExecutorService threads, Progress from) {
    this.threads = threads;
    this.progress = from;
  }

  Progress progress() {
    return progress;
  }

  /**
   * @param pauser sleeps between ranges (and is where a cancelled step stops)
   */
  TableVerification verify(Connections connections, String schema, TablePlan t, VerifyOptions options, Pauser pauser)
      throws SQLException, IOException, InterruptedException {
    return walk(connections, schema, t, options, pauser, NO_REPAIR);
  }

  /**
   * The connections a walk uses: two to the source, so a range's JSON can stream to the worker while
   * the source computes the range's checksum on the other.
   */
  record Connections(Connection source, Connection jsonSource, Connection target) {}

  /**
   * Compares range by range like {@link #verify} and hands every differing range to {@code repair}
   * with all of its differing keys (none for a table without a key) before going on.
   */
  TableVerification walk(
      Connections connections, String schema, TablePlan t, VerifyOptions options, Pauser pauser, Repair repair)
      throws SQLException, IOException, InterruptedException {
    long started = System.nanoTime();
    long targetMillis = Math.max(50, options.queryTime().toMillis());
    TableSql sql = new TableSql(connections, schema, t, t.chunked());
    TableSql byKeys = new TableSql(connections, schema, t, false);
    int missedOrders = 0;
    Progress p = progress;
    while (!p.done()) {
      long lookup = System.nanoTime();
      KeyRange range = t.chunked() ? sourceRange(connections.source(), t, p.after(), p.step(), p.keysPerRow()) : KeyRange.ALL;
      long lookupMillis = (System.nanoTime() - lookup) / 1_000_000;
      String mysqlWhere = ValueSql.where(t, range, true);
      Compared c;
      boolean byTheirKeys = false;
      if (!t.chunked() || t.orderedAlike()) {
        c = sql.compare(mysqlWhere, Rows.where(ValueSql.where(t, range, false)), true);
      } else {
        // A range of a key holding text: first as if the target ordered the keys as the source
        // does, its rows between the same bounds joined in its own key order, which equal checksums
        // prove (the cost of an integer key's range); where they differ, row by row in any order:
        // for a text key, the rows of the source's keys in it.
        Optional<Compared> inOrder = missedOrders < ORDER_GUESSES
            ? Optional.of(sql.compare(mysqlWhere, Rows.where(ValueSql.where(t, range, false)), false)).filter(Compared::same)
            : Optional.empty();
        missedOrders = inOrder.isPresent() ? 0 : missedOrders + 1;
        byTheirKeys = inOrder.isEmpty();
        c = inOrder.isPresent() ? inOrder.get() : byKeys.compare(mysqlWhere, targetRows(connections, t, range, mysqlWhere), true);
      }
      long differing = p.differingRows();
      List<RowDifference> listed = new ArrayList<>(p.listed());
      if (!c.same()) {
        differing += c.differing();
        repair.apply(range, c.differences());
        listUpTo(listed, c.differences(), options.maxListedRows());
      }
      long extraRows = 0;
      if (t.textChunks() && range.openAbove()) {
        List<RowDifference> extras = extraKeys(connections, schema, t, p.targetRows() + c.theirs().rows());
        extraRows = extras.size();
        if (!extras.isEmpty()) {
          differing += extras.size();
          repair.apply(KeyRange.ALL, extras);
          listUpTo(listed, extras, options.maxListedRows());
        }
      }
      Sums ours = c.ours();
      long slowest = Math.max(ours.millis(), c.theirs().millis());
      int next = nextStep(p.step(), slowest, targetMillis, sql.maxRows(c.theirs()));
      // The source's time for the range: finding its end, which waits like any statement on a
      // busy or locked table, and its checksum.
      long sourceMillis = lookupMillis + ours.millis();
      double rate = ours.rows() / (double) Math.max(1, sourceMillis);
      boolean busy = ours.rows() >= MIN_STEP && rate < p.bestRowsPerMilli() / 3;
      p =
          new Progress(
              range.upTo(),
              range.openAbove(),
              p.ranges() + 1,
              p.rangesByRow() + (c.comparedByRow() ? 1 : 0),
              p.rangesByKeys() + (byTheirKeys ? 1 : 0),
              next,
              p.sourceRows() + ours.rows(),
              p.targetRows() + c.theirs().rows() + extraRows,
              differing,
              List.copyOf(listed),
              Math.max(p.bestRowsPerMilli(), ours.rows() >= MIN_STEP ? rate : 0),
              t.integerChunks() ? keysPerRow(range, ours.rows(), p.keysPerRow()) : p.keysPerRow());
      progress = p;
      if (busy) {
        pauser.pause(sourceMillis);
      }
    }
    return new TableVerification(
        t.name(), p.sourceRows(), p.targetRows(), p.ranges(), p.rangesByRow(), p.differingRows(), p.listed(),
        (System.nanoTime() - started) / 1_000_000);
  }

  private static void listUpTo(List<RowDifference> listed, List<RowDifference> more, int most) {
    for (RowDifference d : more) {
      if (listed.size() < most) {
        listed.add(d);
      }
    }
  }

  /** The keys of one range whose rows differ now, for a repair to check itself. */
  List<RowDifference> differences(Connections connections, String schema, TablePlan t, KeyRange range)
      throws SQLException {
    String mysqlWhere = ValueSql.where(t, range, true);
    return new TableSql(connections, schema, t, t.orderedAlike())
        .compare(mysqlWhere, targetRows(connections, t, range, mysqlWhere), true)
        .differences();
  }

  /**
   * Ranges of a key holding text in a row whose rows the target did not order as the source does,
   * after which the table's remaining ranges are compared row by row without trying: a collation
   * that orders the keys otherwise (case-insensitive against byte order, for mixed-case keys) fails
   * every range.
   */
  private static final int ORDER_GUESSES = 3;

  /**
   * Which of the target's rows a comparison reads: those of a WHERE clause, with its parameters
   * bound to a range's keys where it has them ({@link #targetRows}).
   */
  private record Rows(String where, Optional<List<String>> keys) {

    static Rows where(String where) {
      return new Rows(where, Optional.empty());
    }
  }


  /**
   * The target's rows of a range: the same bounds, or for a table split on a text column, whose
   * ranges follow the source's collation (which PostgreSQL's need not share), the rows of the
   * source's values of that column in the range (its keys, for a text key), read from the source's
   * key index; none where it holds none. Each key is looked up on the target's key index, three to
   * four microseconds a key. Reading the index between the least and the greatest of the keys
   * instead, with the keys as a filter, reads every row between them in the target's order: where
   * the orders differ (accents the source ignores, which
   * PostgreSQL's byte order puts after every unaccented letter: é0000001 e0000002 é0000003) that is
   * most of the table for every range, a cost growing with the square of the table's rows (a
   * verification of 3 million such keys: 6 min 23 s, 734 ranges). Spans of a thousand keys each in
   * the target's order fare little better, as a span across two such runs is as long (2 min 12 s).
   * The tables migrate-data creates compare text by the database's default collation,
   * deterministic, so a key finds only itself.
   */
  private static Rows targetRows(Connections connections, TablePlan t, KeyRange range, String mysqlWhere) throws SQLException {
    if (!t.textChunks()) {
      return Rows.where(ValueSql.where(t, range, false));
    }
    List<String> keys = sourceSide(() -> {
      try (PreparedStatement ps = connections.source().prepareStatement(
          "SELECT " + ValueSql.mq(t.chunkKey()) + " FROM " + ValueSql.mq(t.name()) + " FORCE INDEX (PRIMARY)" + mysqlWhere)) {
        // A key of several columns repeats its text's values; each is looked up once. As Java's
        // strings, not MySQL's DISTINCT, which would keep one of abc and ABC under a _ci collation.
        return List.copyOf(new LinkedHashSet<>(firstColumn(ps)));
      }
    });
    if (keys.isEmpty()) {
      return Rows.where(" WHERE false");
    }
    return new Rows(" WHERE " + ValueSql.keyIn(t, keys.size(), false), Optional.of(keys));
  }

  /**
   * The keys of {@code keys} the source holds, as it writes them. MySQL refuses a whole lookup
   * holding a key its column's character set cannot hold (an emoji in a latin1 key) rather than
   * find nothing for it: the keys are then looked up one by one, such a key as not held. Every
   * character set holds ASCII, so a refused ASCII key is an error of its own.
   */
  private static Set<String> heldBySource(Connection source, TablePlan t, List<String> keys) throws SQLException {
    try (PreparedStatement ps = source.prepareStatement(
        "SELECT " + ValueSql.mq(t.chunkKey()) + " FROM " + ValueSql.mq(t.name()) + " WHERE " + ValueSql.keyIn(t, keys.size(), true))) {
      for (int i = 0; i < keys.size(); i++) {
        ps.setString(i + 1, keys.get(i));
      }
      return new HashSet<>(firstColumn(ps));
    } catch (SQLException e) {
      if (!MySqlErrors.charsetCannotHold(e) || keys.size() == 1 && keys.get(0).chars().allMatch(c -> c < 128)) {
        throw e;
      }
      Set<String> held = new HashSet<>();
      if (keys.size() > 1) {
        for (String key : keys) {
          held.addAll(heldBySource(source, t, List.of(key)));
        }
      }
      return held;
    }
  }

  /** Keys of the target a page of the extra-key search reads and looks up on the source at once. */
  private static final int EXTRA_KEYS_PAGE = 1_000;

  /**
   * The target's rows, in a table split on a text column, whose value of it the source does not
   * hold: as the ranges found the target's rows by the source's values, a row of any other value
   * was read by none. Counted first ({@code matched}: the target's rows the ranges read); only when
   * the target holds more are its values read in pages of its own order and looked up on the
   * source, compared as exact strings (a case-insensitive collation finds {@code abc} for
   * {@code ABC}); for a key of several columns, the rows of a value the source lacks are listed by
   * their whole keys.
   */
  private List<RowDifference> extraKeys(Connections connections, String schema, TablePlan t, long matched) throws SQLException {
    String table = ValueSql.pq(schema) + "." + ValueSql.pq(t.name());
    String key = ValueSql.pq(t.chunkKey());
    if (Long.parseLong(fingerprint(connections.target(), "SELECT count(*) FROM " + table, 1).get(0)) <= matched) {
      return List.of();
    }
    List<RowDifference> extras = new ArrayList<>();
    Optional<String> after = Optional.empty();
    while (true) {
      List<String> page;
      try (PreparedStatement ps = connections.target().prepareStatement("SELECT DISTINCT " + key + " FROM " + table
          + (after.isPresent() ? " WHERE " + key + " > ?" : "") + " ORDER BY " + key + " LIMIT " + EXTRA_KEYS_PAGE)) {
        if (after.isPresent()) {
          ps.setString(1, after.get());
        }
        page = firstColumn(ps);
      }
      if (page.isEmpty()) {
        return extras;
      }
      Set<String> held = sourceSide(() -> heldBySource(connections.source(), t, page));
      List<String> missing = page.stream().filter(k -> !held.contains(k)).toList();
      for (String k : t.singleKey() || missing.isEmpty() ? missing : rowsOf(connections.target(), table, t, missing)) {
        extras.add(new RowDifference(k, RowDifference.Kind.EXTRA_IN_TARGET));
      }
      after = Optional.of(page.get(page.size() - 1));
    }
  }

  /** The whole keys of the target's rows with these values of the text column a table is split on. */
  private static List<String> rowsOf(Connection target, String table, TablePlan t, List<String> values) throws SQLException {
    try (PreparedStatement ps = target.prepareStatement(
        "SELECT " + ValueSql.pgKey(t) + " FROM " + table + " WHERE " + ValueSql.keyIn(t, values.size(), false)
            + " ORDER BY " + ValueSql.keyList(t, false))) {
      ps.setArray(1, target.createArrayOf("text", values.toArray()));
      return firstColumn(ps);
    }
  }

  /**
   * Compares, as one set, the rows each side selects with its WHERE clause (the same condition in
   * each dialect, e.g. on a watermark column): counts, checksums, and the differing keys.
   */
  TableVerification compareRows(
      Connections connections, String schema, TablePlan t, String mysqlWhere, String pgWhere, VerifyOptions options)
      throws SQLException {
    long started = System.nanoTime();
    Compared c = new TableSql(connections, schema, t, false).compare(mysqlWhere, Rows.where(pgWhere), true);
    return new TableVerification(
        t.name(), c.ours().rows(), c.theirs().rows(), 1, c.comparedByRow() ? 1 : 0, c.same() ? 0 : c.differing(),
        c.differences().subList(0, Math.min(c.differences().size(), options.maxListedRows())),
        (System.nanoTime() - started) / 1_000_000);
  }

  /** Each side's key count and whether their key sets agree, by {@link #keyFingerprint}. */
  record KeySets(long sourceRows, long targetRows, boolean same) {}

  /** Whether {@link #keySets} can compare the table's keys: a single integer, text or binary key. */
  static boolean hasKeySets(TablePlan t) {
    return t.singleKey() && (t.integerChunks() || t.textChunks() || t.binaryChunks());
  }

  /**
   * Whether both sides hold the same set of keys, without hashing a row ({@link #keyFingerprint}).
   * Made for the cutover's window, where a deletion or an insertion must be seen in a fraction of a
   * second, and for a text key whose engines order it otherwise, which a walk of its keys compares
   * range by range, key by key.
   */
  KeySets keySets(Connections connections, String schema, TablePlan t) throws SQLException {
    return keySets(connections, schema, t, "");
  }

  /**
   * As {@link #keySets}, but while the source still takes writes (it is not read-only) only of the
   * keys up to the largest the target holds: rows the application inserted after the sync read the
   * source are the next sync's to carry, not a difference to walk every range for. Under a steady
   * insert load the whole key sets never agree, and each delta sync would walk the table. A
   * read-only source, as in the cutover's window, is compared whole. Empty for a table without key
   * sets ({@link #hasKeySets}), and for a text or binary key of a source taking writes: the largest
   * key in the target's order bounds nothing in the source's, and the whole sets would differ under
   * inserts, a query spent for a walk anyway.
   */
  Optional<KeySets> keySetsSoFar(Connections connections, String schema, TablePlan t) throws SQLException {
    if (!hasKeySets(t)) {
      return Optional.empty();
    }
    boolean live = "0".equals(sourceSide(() -> fingerprint(connections.source(), "SELECT @@GLOBAL.read_only", 1).get(0)));
    if (!t.integerKey()) {
      return live ? Optional.empty() : Optional.of(keySets(connections, schema, t, ""));
    }
    String highest = live
        ? fingerprint(connections.target(), "SELECT max(" + ValueSql.pq(t.chunkKey()) + ") FROM " + ValueSql.pq(schema) + "."
            + ValueSql.pq(t.name()), 1).get(0)
        : null;
    return Optional.of(keySets(connections, schema, t, highest == null ? "" : " WHERE %s <= " + Long.parseLong(highest)));
  }

  /** @param where {@code ""}, or a condition on the key written as {@code %s} */
  private KeySets keySets(Connections connections, String schema, TablePlan t, String where) throws SQLException {
    if (!hasKeySets(t)) {
      throw new IllegalArgumentException(t.name() + " is not split on one integer, text or binary key");
    }
    String mysqlKey = ValueSql.mq(t.chunkKey());
    String pgKey = ValueSql.pq(t.chunkKey());
    CompletableFuture<List<String>> mine = CompletableFuture.supplyAsync(
        () -> sourceSide(() -> fingerprint(connections.source(),
            keyFingerprint(t, true) + " FROM " + ValueSql.mq(t.name()) + where.replace("%s", mysqlKey), 3)),
        threads);
    List<String> theirs = fingerprint(connections.target(),
        keyFingerprint(t, false) + " FROM " + ValueSql.pq(schema) + "." + ValueSql.pq(t.name()) + where.replace("%s", pgKey), 3);
    List<String> ours = join(mine);
    return new KeySets(Long.parseLong(ours.get(0)), Long.parseLong(theirs.get(0)), sameNumbers(ours, theirs));
  }

  /**
   * COUNT, and for one integer key the SUM of the keys and XOR of their mix,
   * {@code h = ((m ^ (m >> 16)) * c2) mod 2^32, m = (k * c1 + c0) mod 2^32}, a bijection on 32-bit
   * keys: sets that differ by keys the watermark missed agree on all three by about a 2^-32 chance.
   * A SUM of the mix too cost MariaDB as much again (it evaluates the expression once per
   * aggregate), inside the cutover's write-unavailability window. For a text or binary key, the XOR
   * of the first 60 bits of the MD5 of each key's bytes (a text key's in UTF-8), the only hash both
   * engines have that costs each about a microsecond; a key that differs only in case or accent
   * from the source's hashes otherwise, as it is another key.
   */
  static String keyFingerprint(TablePlan t, boolean mysql) {
    String key = mysql ? ValueSql.mq(t.chunkKey()) : ValueSql.pq(t.chunkKey());
    if (!t.integerKey()) {
      String bytes = mysql && t.textChunks() ? "CONVERT(" + key + " USING utf8mb4)" : key;
      return mysql
          ? "SELECT COUNT(*), COALESCE(BIT_XOR(CAST(CONV(LEFT(MD5(" + bytes + "), 15), 16, 10) AS UNSIGNED)), 0), 0"
          : "SELECT count(*), coalesce(bit_xor(('x' || left(md5(" + key + "), 15))::bit(60)::bigint), 0), 0";
    }
    String k = mysql ? "(CAST(" + key + " AS UNSIGNED) % 4294967296)" : "(((" + key + " % 4294967296) + 4294967296) % 4294967296)::bigint";
    String m = "((" + k + " * 1664525 + 1013904223) % 4294967296)";
    String h = "(((" + m + (mysql ? " ^ (" : " # (") + m + " >> 16)) * 73244475) % 4294967296)";
    return mysql
        ? "SELECT COUNT(*), COALESCE(SUM(" + key + "), 0), COALESCE(BIT_XOR(" + h + "), 0)"
        : "SELECT count(*), coalesce(sum(" + key + "), 0), coalesce(bit_xor(" + h + "), 0)";
  }

  /** The first {@code columns} values of the query's one row (NULLs as null). */
  private static List<String> fingerprint(Connection c, String sql, int columns) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      List<String> values = new ArrayList<>();
      for (int i = 1; i <= columns; i++) {
        values.add(rs.getString(i));
      }
      return values;
    }
  }

  private static boolean sameNumbers(List<String> a, List<String> b) {
    for (int i = 0; i < a.size(); i++) {
      if (new java.math.BigDecimal(a.get(i)).compareTo(new java.math.BigDecimal(b.get(i))) != 0) {
        return false;
      }
    }
    return true;
  }

  /** What comparing one set of rows found. */
  private record Compared(Sums ours, Sums theirs, List<RowDifference> differences, boolean keyed) {

    boolean same() {
      return ours.sameAs(theirs);
    }

    /** Whether the rows were compared one by one: rows that differ in a table with a key to list. */
    boolean comparedByRow() {
      return keyed && !same();
    }

    /** The differing keys, or for a table without a key at least one row, or the difference in rows. */
    long differing() {
      return keyed ? differences.size() : Math.max(1, Math.abs(ours.rows() - theirs.rows()));
    }
  }

  /** The SQL comparing a table's rows, built once per walk. */
  private final class TableSql {
    private final Connections connections;
    private final boolean keyed;
    private final String mysqlHash;
    private final String pgHash;
    private final String mysqlTable;
    private final String pgTable;
    private final String mysqlKey;
    private final String pgKey;
    private final Optional<JsonComparison> json;
    private final String pgJson;
    private final boolean ordered;
    private final String mysqlText;
    private final String pgText;
    private final String orderKey;
    private final String mysqlIndex;
    /** MySQL's longest string, read on the first range that needs it; 0 until then. */
    private long longestText;

    /**
     * @param ordered whether the rows compared are ranges of the chunk key, read in key order by
     *     the primary key's index, and hashed whole. Rows chosen by another condition (a watermark
     *     column's index, a text key range's keys) are hashed one by one, in any order.
     */
    TableSql(Connections connections, String schema, TablePlan t, boolean ordered) {
      this.connections = connections;
      this.keyed = !t.primaryKey().isEmpty();
      this.ordered = ordered;
      List<ColumnPlan> jsonColumns = t.columns().stream().filter(c -> c.family() == ColumnFamily.JSON).toList();
      List<ColumnPlan> plain = t.columns().stream().filter(c -> c.family() != ColumnFamily.JSON).toList();
      this.mysqlHash = ValueSql.mysqlRowHash(plain);
      this.pgHash = ValueSql.pgRowHash(plain);
      this.json = jsonColumns.isEmpty() ? Optional.empty() : Optional.of(new JsonComparison(connections.jsonSource(), t, jsonColumns));
      this.mysqlText = ValueSql.mysqlRowText(plain, json.flatMap(JsonComparison::sourcePresence).stream().toList());
      this.pgText = ValueSql.pgRowText(plain, json.flatMap(JsonComparison::targetPresence).stream().toList());
      this.mysqlTable = ValueSql.mq(t.name());
      this.pgTable = ValueSql.pq(schema) + "." + ValueSql.pq(t.name());
      this.mysqlKey = keyed ? ValueSql.mysqlKey(t) : "''";
      this.pgKey = keyed ? ValueSql.pgKey(t) : "''";
      this.pgJson = json.map(j -> ", " + j.targetDigest() + " AS j").orElse("");
      this.orderKey = ordered ? ValueSql.keyList(t, false) : "";
      this.mysqlIndex = ordered ? " FORCE INDEX (PRIMARY)" : "";
    }

    /**
     * The most rows the next range may hold: for a range hashed whole, as many as keep its text,
     * at the last range's length per row, within MySQL's longest string; else no limit.
     */
    long maxRows(Sums target) {
      if (!ordered || target.rows() == 0 || target.textBytes() == 0) {
        return Long.MAX_VALUE;
      }
      if (longestText == 0) {
        longestText = sourceSide(() -> Long.parseLong(
            fingerprint(connections.source(), "SELECT LEAST(@@max_allowed_packet, @@group_concat_max_len)", 1).get(0)));
      }
      return (long) (TEXT_SHARE * longestText / Math.max(1.0, (double) target.textBytes() / target.rows()));
    }

    /**
     * The range's checksum queries. Split on an integer key: MySQL's GROUP_CONCAT joins the rows in
     * the order its primary key's range scan reads them, key order, which costs nothing, where an
     * ORDER BY inside it costs a sort; likewise PostgreSQL aggregates a subquery ordered by the key,
     * which its index scan reads in order, where an ORDER BY in the aggregate sorts the range again
     * for each aggregate. Were the order ever another, the range would differ and be compared row
     * by row, which is the verdict. Rows are joined by a semicolon, which a literal writes alike
     * whatever MySQL's sql_mode and no value but length-prefixed free text can hold, so the joined
     * text still parses one way.
     */
    private Side mysqlSide(String where) {
      String sums =
          ordered
              ? "SELECT COUNT(*), SHA2(GROUP_CONCAT(" + mysqlText + " SEPARATOR ';'), 256), '' FROM " + mysqlTable + mysqlIndex + where
              : keyed
                  ? "SELECT COUNT(*), " + mysqlAggregate(mysqlHash) + " FROM " + mysqlTable + where
                  : "SELECT COUNT(*), " + mysqlSums() + " FROM (SELECT " + mysqlHash + " AS h FROM " + mysqlTable + where + ") x";
      return new Side(connections.source(), sums, "SELECT " + mysqlKey + ", " + mysqlHash + " FROM " + mysqlTable + where, ordered, Optional.empty());
    }

    private Side pgSide(Rows rows) {
      String where = rows.where();
      String sums =
          ordered
              ? "SELECT count(*), encode(sha256(textsend(" + PG_JOINED + ")), 'hex'), '', coalesce(octet_length(" + PG_JOINED + "), 0)"
                  + json.map(j -> ", " + j.targetJoinedDigest("j")).orElse("") + " FROM (SELECT " + pgText + " AS t"
                  + json.map(j -> ", " + j.targetJsonRow() + " AS j").orElse("") + " FROM " + pgTable + where + " ORDER BY " + orderKey
                  + ") x"
              : "SELECT count(*), " + pgAggregate(keyed) + json.map(j -> ", 0, " + j.targetAggregate("j")).orElse("")
                  + " FROM (SELECT " + pgHash + " AS h" + pgJson + " FROM " + pgTable + where + ") x";
      return new Side(connections.target(), sums, "SELECT " + pgKey + ", " + pgHash + pgJson + " FROM " + pgTable + where, ordered,
          rows.keys());
    }

    /** @param listRows whether a range whose checksums differ is compared row by row, to list its keys */
    Compared compare(String mysqlWhere, Rows targetRows, boolean listRows) throws SQLException {
      Side mySide = mysqlSide(mysqlWhere);
      Side pgSide = pgSide(targetRows);
      CompletableFuture<Sums> mine = CompletableFuture.supplyAsync(() -> sourceSide(() -> sums(mySide)), threads);
      CompletableFuture<Optional<JsonComparison.Part>> myJson = json.isEmpty()
          ? CompletableFuture.completedFuture(Optional.empty())
          : CompletableFuture.supplyAsync(
              () -> sourceSide(() -> Optional.of(ordered ? json.get().orderedDigest(mysqlWhere) : json.get().aggregate(mysqlWhere))),
              threads);
      Sums theirs = sums(pgSide);
      Sums ours = join(mine);
      Optional<JsonComparison.Part> ourJson = join(myJson);
      if (ourJson.isPresent()) {
        ours = ours.withJson(ourJson.get());
      }
      if (ours.sameAs(theirs) || !keyed || !listRows) {
        return new Compared(ours, theirs, List.of(), keyed);
      }
      return new Compared(ours, theirs, rowDifferences(mySide, pgSide, json, mysqlWhere), keyed);
    }
  }

  /** The next range after {@code after} of about {@code step} rows, found on the source's key index. */
  static KeyRange nextRange(Connection source, TablePlan t, String after, int step) throws SQLException {
    String key = ValueSql.mq(t.chunkKey());
    String sql =
        "SELECT " + ValueSql.mysqlBound(t) + " FROM " + ValueSql.mq(t.name()) + ValueSql.where(t, new KeyRange(after, ""), true)
            + " ORDER BY " + key + " LIMIT 1 OFFSET " + (step - 1);
    try (Statement s = source.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      return new KeyRange(after, rs.next() ? rs.getString(1) : "");
    }
  }

  private static int nextStep(int step, long millis, long targetMillis, long maxStep) {
    double factor = millis <= 0 ? 2.0 : Math.max(0.25, Math.min(2.0, (double) targetMillis / millis));
    return (int) Math.max(MIN_STEP, Math.min(Math.min(MAX_STEP, maxStep), step * factor));
  }

  /**
   * XOR is cheaper than a sum (MySQL sums 64-bit integers as decimals) but cancels repeated rows;
   * on the row hash itself, without a derived table, which MariaDB would materialise.
   */
  private static String mysqlAggregate(String hash) {
    return "BIT_XOR(CAST(CONV(SUBSTRING(" + hash + ", 1, 16), 16, 10) AS UNSIGNED)), 0";
  }

  private static String mysqlSums() {
    return "COALESCE(SUM(CAST(CONV(SUBSTRING(h, 1, 15), 16, 10) AS UNSIGNED)), 0),"
        + " COALESCE(SUM(CAST(CONV(SUBSTRING(h, 16, 15), 16, 10) AS UNSIGNED)), 0)";
  }

  private static String pgAggregate(boolean keyed) {
    return keyed
        ? "coalesce(bit_xor(('x' || substr(h, 1, 16))::bit(64)::bigint), 0), 0"
        : "coalesce(sum(('x' || substr(h, 1, 15))::bit(60)::bigint), 0),"
            + " coalesce(sum(('x' || substr(h, 16, 15))::bit(60)::bigint), 0)";
  }

  /**
   * A side's count and checksum parts; then, where the query has them, the length of the text its
   * checksum joined (PostgreSQL's, of a range hashed whole) and its JSON part.
   */
  private static Sums sums(Side side) throws SQLException {
    long started = System.nanoTime();
    return query(side, side.sums(), rs -> {
      rs.next();
      int columns = rs.getMetaData().getColumnCount();
      return new Sums(
          rs.getLong(1), part(rs.getString(2), side.digests()), part(rs.getString(3), side.digests()),
          columns > 4 ? part(rs.getString(5), side.digests()) : "", columns > 3 ? rs.getLong(4) : 0,
          (System.nanoTime() - started) / 1_000_000);
    });
  }

  /**
   * A checksum part as both sides write it: a hex digest as it is (none, of no rows, as empty); a
   * number unsigned, as PostgreSQL's XOR is a signed bigint and MySQL's an unsigned one.
   */
  static String part(String value, boolean digest) {
    if (value == null || value.isEmpty()) {
      return "";
    }
    if (digest) {
      return value;
    }
    BigInteger v = new BigInteger(value);
    return (v.signum() < 0 ? v.add(BigInteger.ONE.shiftLeft(64)) : v).toString();
  }

  /** The first column of every row the statement selects. */
  private static List<String> firstColumn(PreparedStatement ps) throws SQLException {
    List<String> values = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        values.add(rs.getString(1));
      }
    }
    return values;
  }

  @FunctionalInterface
  private interface Reader<T> {
    T read(ResultSet rs) throws SQLException;
  }

  private static final String KEYED_PLAN = "SET max_parallel_workers_per_gather = 0; SET enable_seqscan = off;"
      + " SET enable_indexscan = off; SET enable_indexonlyscan = off; SET jit = off";
  private static final String KEYED_PLAN_RESET = "RESET max_parallel_workers_per_gather; RESET enable_seqscan;"
      + " RESET enable_indexscan; RESET enable_indexonlyscan; RESET jit";

  /**
   * Runs one of a side's queries, its range's keys bound where it has them: then without parallel
   * workers, each of which would parse the plan, the keys in it, from its text form (a profile of a
   * parallel plan over 60 000 UUIDs showed PostgreSQL's time in that parsing); by a bitmap of the
   * keys' lookups on the key index, where the planner, above some ten thousand keys or without
   * statistics (a freshly copied table), prefers a scan of the whole table or of its whole index,
   * each row tested against every key; without JIT, which compiled such a test for seconds; and
   * planned for these keys, as a plan for any keys (the driver prepares a statement it has run five
   * times) cannot look them up.
   */
  private static <T> T query(Side side, String sql, Reader<T> reader) throws SQLException {
    Connection c = side.connection();
    if (side.keys().isEmpty()) {
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery(sql)) {
        return reader.read(rs);
      }
    }
    try (Statement setting = c.createStatement()) {
      setting.execute(KEYED_PLAN);
      try (PreparedStatement s = c.prepareStatement(sql)) {
        s.unwrap(PGStatement.class).setPrepareThreshold(0);
        s.setArray(1, c.createArrayOf("text", side.keys().get().toArray()));
        try (ResultSet rs = s.executeQuery()) {
          return reader.read(rs);
        }
      } finally {
        setting.execute(KEYED_PLAN_RESET);
      }
    }
  }

  @FunctionalInterface
  private interface SqlCall<T> {
    T call() throws SQLException;
  }

  /** Runs a query on the source, its errors marked as the source's. */
  private static <T> T sourceSide(SqlCall<T> call) {
    try {
      return call.call();
    } catch (SQLException e) {
      throw new SourceException(e);
    }
  }

  private static KeyRange sourceRange(Connection source, TablePlan t, String after, int step, double keysPerRow) {
    return sourceSide(() -> {
      // Only a single integer key's span bounds its rows: a key of several columns repeats its
      // first column's values, and bytes have no arithmetic.
      Optional<KeyRange> dense = t.integerKey() ? denseRange(source, t, after, step, keysPerRow) : Optional.empty();
      return dense.isPresent() ? dense.get() : nextRange(source, t, after, step);
    });
  }

  /** A bounded range's key span per row, or {@code last} where it tells nothing. */
  private static double keysPerRow(KeyRange range, long rows, double last) {
    if (range.openBelow() || range.openAbove() || rows == 0) {
      return last;
    }
    return (new BigInteger(range.upTo()).subtract(new BigInteger(range.after())).doubleValue()) / rows;
  }

  /**
   * Keys per row up to which a range is sized by arithmetic: {@code step} rows span about
   * {@code step * keysPerRow} keys, and a span of n integer keys holds at most n rows, so the range
   * cannot come out more than this much larger than asked, however the keys fall further on.
   */
  private static final double DENSE_KEYS = 1.25;

  /**
   * The next range after {@code after} of about {@code step} rows without reading its keys, where
   * the last range's keys were dense (auto-increment keys: one per row): its end is the start plus
   * {@code step} rows' worth of keys at the last range's density; open above where that passes the
   * largest key. Reading the step-th key from the index instead scans the range's rows, a tenth of
   * its checksum's cost. Empty where keys are sparse or the density is not known yet (no bounded
   * range), or the keys do not fit a long: the key is read.
   */
  static Optional<KeyRange> denseRange(Connection source, TablePlan t, String after, int step, double keysPerRow)
      throws SQLException {
    if (after.isEmpty() || keysPerRow <= 0 || keysPerRow > DENSE_KEYS) {
      return Optional.empty();
    }
    try {
      long from = Long.parseLong(after);
      String highest =
          fingerprint(source, "SELECT MAX(" + ValueSql.mq(t.chunkKey()) + ") FROM " + ValueSql.mq(t.name()), 1).get(0);
      long upTo = from + Math.max(1, Math.round(step * keysPerRow));
      if (highest == null || upTo < from || upTo >= Long.parseLong(highest)) {
        return Optional.of(new KeyRange(after, ""));
      }
      return Optional.of(new KeyRange(after, String.valueOf(upTo)));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * A whole table's ranges of about {@code rows} rows each, by arithmetic on its key's ends, where
   * the keys are dense: no more than {@link #DENSE_KEYS} keys per row by InnoDB's estimate of its
   * rows (auto-increment keys: one per row). Walking the key index instead reads every key once,
   * minutes on a table of hundreds of millions of rows before its copy can start. An estimate off
   * by some tens of percent sizes the ranges as much off, which costs nothing but their balance.
   * Empty where the table is not split on a single integer key, holds no row, its estimate says
   * nothing, its keys are sparse, or do not fit a long: the keys are walked.
   */
  static Optional<List<KeyRange>> denseRanges(Connection source, TablePlan t, int rows) throws SQLException {
    if (!t.integerKey() || t.estimatedRows() <= 0) {
      return Optional.empty();
    }
    String key = ValueSql.mq(t.chunkKey());
    List<String> ends = fingerprint(source, "SELECT MIN(" + key + "), MAX(" + key + ") FROM " + ValueSql.mq(t.name()), 2);
    if (ends.get(0) == null) {
      return Optional.empty();
    }
    try {
      long lowest = Long.parseLong(ends.get(0));
      long highest = Long.parseLong(ends.get(1));
      double keysPerRow = ((double) highest - lowest + 1) / t.estimatedRows();
      if (keysPerRow > DENSE_KEYS) {
        return Optional.empty();
      }
      long span = Math.max(1, Math.round(rows * keysPerRow));
      List<KeyRange> ranges = new ArrayList<>();
      String after = "";
      for (long end = lowest - 1 + span; end < highest && end > lowest - 1; end += span) {
        ranges.add(new KeyRange(after, String.valueOf(end)));
        after = String.valueOf(end);
      }
      ranges.add(new KeyRange(after, ""));
      return Optional.of(List.copyOf(ranges));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static <T> T join(CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw e;
    }
  }

  /**
   * The keys of one range whose rows differ: each side's key and row digest (with its JSON digest,
   * when the table has JSON columns), compared in memory.
   */
  private List<RowDifference> rowDifferences(Side mySide, Side pgSide, Optional<JsonComparison> json, String mysqlWhere)
      throws SQLException {
    CompletableFuture<Map<String, String>> mine = CompletableFuture.supplyAsync(() -> sourceSide(() -> rows(mySide)), threads);
    Map<String, String> theirs = rows(pgSide);
    Map<String, String> ours = join(mine);
    if (json.isPresent()) {
      sourceSide(() -> json.get().digests(mysqlWhere)).forEach((key, d) -> ours.merge(key, "/" + d, String::concat));
    }
    TreeSet<String> keys = new TreeSet<>(ours.keySet());
    keys.addAll(theirs.keySet());
    List<RowDifference> out = new ArrayList<>();
    for (String key : keys) {
      String a = ours.get(key);
      String b = theirs.get(key);
      if (b == null) {
        out.add(new RowDifference(key, RowDifference.Kind.MISSING_IN_TARGET));
      } else if (a == null) {
        out.add(new RowDifference(key, RowDifference.Kind.EXTRA_IN_TARGET));
      } else if (!a.equals(b)) {
        out.add(new RowDifference(key, RowDifference.Kind.DIFFERENT));
      }
    }
    return out;
  }

  /** Key and digest per row; a third column, where there is one, is the JSON digest, after a slash. */
  private static Map<String, String> rows(Side side) throws SQLException {
    return query(side, side.hashes(), rs -> {
      Map<String, String> rows = new HashMap<>();
      boolean json = rs.getMetaData().getColumnCount() > 2;
      while (rs.next()) {
        rows.put(rs.getString(1), json ? rs.getString(2) + "/" + rs.getString(3) : rs.getString(2));
      }
      return rows;
    });
  }

  /** What the delta sync does with a range that differs. */
  @FunctionalInterface
  interface Repair {
    void apply(KeyRange range, List<RowDifference> differences) throws SQLException, IOException;
  }

  static final Repair NO_REPAIR = (range, differences) -> {};

  /** How the verifier waits between ranges: interruptible, and where a cancelled step stops. */
  @FunctionalInterface
  interface Pauser {
    void pause(long millis) throws InterruptedException;
  }
}
