package io.durablerunbooks.migrate;

import io.durablerunbooks.activities.DaemonThreads;
import io.durablerunbooks.activities.FailureTypes;
import io.durablerunbooks.activities.Heartbeat;
import io.durablerunbooks.postgres.PostgresConnection;
import io.durablerunbooks.postgres.PostgresPools;
import io.durablerunbooks.postgres.Transactions;
import io.durablerunbooks.secrets.SecretResolver;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/** The migrate-data steps against a real MySQL/MariaDB source and PostgreSQL target. */
public final class MigrateActivitiesImpl implements MigrateActivities {

  /** PostgreSQL connections one worker may hold per target: copies and verifications at once. */
  public static final int TARGET_CONNECTIONS = 20;
  private static final String SOURCE = "source";
  private static final String TARGET = "target";
  private static final String MAINTENANCE_WORK_MEM = "256MB";
  /** Copies of a differing range a full sync makes before it calls the rows a defect of the copy. */
  private static final int REPAIR_ATTEMPTS = 3;
  /** Keys of a change log compared per query: an IN list both engines plan as key lookups. */
  private static final int LOGGED_KEYS_PER_QUERY = 1_000;
  static final String UNREPAIRABLE = "RowsCannotBeCopied";

  private final MySqlSessions mysql;
  private final PostgresPools pools;
  private final ExecutorService threads = Executors.newCachedThreadPool(DaemonThreads.named("verify source"));

  public MigrateActivitiesImpl(SecretResolver secrets, PostgresPools pools) {
    this.mysql = new MySqlSessions(secrets);
    this.pools = pools;
  }

  @Override
  public SchemaPlan convertSchema(MigrateSpec spec) {
    SourceSchema source = mysql.withConnection(spec.source(), SOURCE, SourceSchema::read);
    SchemaConverter.Result converted = new SchemaConverter(spec).convert(source);
    List<String> problems = new ArrayList<>(converted.problems());
    String targetVersion =
        pools.withConnection(
            spec.target(), TARGET, c -> targetProblems(c, spec.targetSchema(), converted.tables(), problems));
    if (converted.tables().isEmpty() && problems.isEmpty()) {
      problems.add("tables: no table of " + spec.source().database() + " is selected for copying");
    }
    if (!problems.isEmpty()) {
      throw ApplicationFailure.newNonRetryableFailure(
          "the schema cannot be migrated as it is; nothing was changed: " + String.join("; ", problems),
          FailureTypes.INVALID_INPUT);
    }
    return new SchemaPlan(source.version(), targetVersion, source.utcNow(), converted.tables(), converted.notes());
  }

  @Override
  public SchemaPlan checkCopiedSchema(MigrateSpec spec) {
    SourceSchema source = mysql.withConnection(spec.source(), SOURCE, SourceSchema::read);
    SchemaConverter.Result converted = new SchemaConverter(spec).convert(source);
    List<String> problems = new ArrayList<>(converted.problems());
    String targetVersion =
        pools.withConnection(spec.target(), TARGET, c -> copyProblems(c, spec.targetSchema(), converted.tables(), problems));
    if (converted.tables().isEmpty() && problems.isEmpty()) {
      problems.add("tables: no table of " + spec.source().database() + " is selected");
    }
    if (!problems.isEmpty()) {
      throw ApplicationFailure.newNonRetryableFailure(
          "the copy in " + spec.target().database() + " is not one this cutover can take over; nothing was changed: "
              + String.join("; ", problems),
          FailureTypes.INVALID_INPUT);
    }
    return new SchemaPlan(source.version(), targetVersion, source.utcNow(), converted.tables(), converted.notes());
  }

  /**
   * Adds what keeps the target's tables from being the copy of the source's: a missing table, one
   * another tool made (the checksums rely on our type map), or other columns; returns the version.
   */
  private static String copyProblems(Connection c, String schema, List<TablePlan> tables, List<String> problems)
      throws SQLException {
    String version;
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT current_setting('server_version')")) {
      rs.next();
      version = rs.getString(1);
    }
    for (TablePlan t : tables) {
      String marker = tableMarker(c, schema, t.name());
      if (marker == null) {
        problems.add("target: " + schema + "." + t.name() + " does not exist; copy it first with a migrate-data run,"
            + " or leave it out with tables.exclude");
        continue;
      }
      if (!marker.startsWith(TABLE_MARKER)) {
        problems.add("target: " + schema + "." + t.name() + " was not created by migrate-data (its comment is "
            + SchemaConverter.pgLiteral(marker) + "); the checksums rely on its type map, so copy it with migrate-data");
        continue;
      }
      List<String> columns = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT attname FROM pg_attribute WHERE attrelid = (quote_ident(?) || '.' || quote_ident(?))::regclass"
              + " AND attnum > 0 AND NOT attisdropped ORDER BY attnum")) {
        ps.setString(1, schema);
        ps.setString(2, t.name());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            columns.add(rs.getString(1));
          }
        }
      }
      List<String> expected = t.columns().stream().map(ColumnPlan::name).toList();
      if (!columns.equals(expected)) {
        problems.add("target: " + schema + "." + t.name() + " has the columns " + columns + ", the source " + expected
            + "; the schemas drifted apart since the copy: copy the table again");
      }
    }
    return version;
  }

  /** Adds what stops the target from taking the tables; returns the server's version. */
  private static String targetProblems(Connection c, String schema, List<TablePlan> tables, List<String> problems)
      throws SQLException {
    String version;
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT current_setting('server_version'), current_setting('server_encoding')")) {
      rs.next();
      version = rs.getString(1);
      if (!rs.getString(2).equals("UTF8")) {
        problems.add("target.url: the database's encoding is " + rs.getString(2) + "; utf8mb4 text needs a UTF8 database");
      }
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_namespace WHERE nspname = ?")) {
      ps.setString(1, schema);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          problems.add("target.schema: there is no schema \"" + schema + "\" in the target database; create it first");
          return version;
        }
      }
    }
    try (PreparedStatement ps =
        c.prepareStatement("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE n.nspname = ? AND c.relname = ANY (?)")) {
      ps.setString(1, schema);
      ps.setArray(2, c.createArrayOf("text", tables.stream().map(TablePlan::name).toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        List<String> existing = new ArrayList<>();
        while (rs.next()) {
          existing.add(rs.getString(1));
        }
        if (!existing.isEmpty()) {
          problems.add(
              "target: " + schema + "." + String.join(", " + schema + ".", existing) + " already exist"
                  + " in the target database; migrate-data only creates new tables, so drop them (after"
                  + " checking what they hold) or exclude them with tables.exclude");
          return version;
        }
      }
    }
    tryTables(c, tables, problems);
    return version;
  }

  /**
   * Runs each table's CREATE TABLE in a transaction rolled back after: a statement PostgreSQL
   * refuses (a CHECK constraint whose MySQL expression it does not take) is a problem named now,
   * before anything is created, rather than a failed CreateTables step.
   */
  private static void tryTables(Connection c, List<TablePlan> tables, List<String> problems) throws SQLException {
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(false);
    try (Statement s = c.createStatement()) {
      for (TablePlan t : tables) {
        Savepoint before = c.setSavepoint();
        try {
          s.execute(t.createTable());
        } catch (SQLException e) {
          c.rollback(before);
          problems.add("table " + t.name() + ": PostgreSQL refuses its CREATE TABLE (" + e.getMessage().lines().findFirst().orElse("")
              + "); a CHECK constraint can be given in PostgreSQL's words, or left out, with checkConstraints." + t.name()
              + ".<constraint>: <expression> or skip");
        }
      }
    } finally {
      c.rollback();
      c.setAutoCommit(autoCommit);
    }
  }

  @Override
  public void createTables(MigrateSpec spec, SchemaPlan plan, String runMarker) {
    pools.withConnection(
        spec.target(),
        TARGET,
        connection -> Transactions.run(connection, c -> {
          try (Statement s = c.createStatement()) {
            for (TablePlan t : plan.tables()) {
              String marker = tableMarker(c, spec.targetSchema(), t.name());
              if (marker != null) {
                if (marker.equals(runMarker)) {
                  continue;
                }
                throw ApplicationFailure.newNonRetryableFailure(
                    "target: " + spec.targetSchema() + "." + t.name() + " appeared in the target database after the"
                        + " preflight and is not this run's; nothing was created",
                    FailureTypes.INVALID_INPUT);
              }
              s.execute(t.createTable());
              s.execute("COMMENT ON TABLE " + qualified(spec, t) + " IS " + SchemaConverter.pgLiteral(runMarker));
            }
          }
          return null;
        }));
  }

  /** The table's comment, empty when it has none, or null when there is no such table. */
  private static String tableMarker(Connection c, String schema, String table) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT coalesce(obj_description(c.oid, 'pg_class'), '') FROM pg_class c"
            + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ?")) {
      ps.setString(1, schema);
      ps.setString(2, table);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  @Override
  public List<KeyRange> planChunks(MigrateSpec spec, TablePlan table) {
    if (!table.chunked()) {
      return List.of(KeyRange.ALL);
    }
    List<KeyRange> ranges = new ArrayList<>();
    try (Heartbeat beat = Heartbeat.start(ranges::size, () -> {})) {
      return mysql.withConnection(
          spec.source(),
          SOURCE,
          c -> {
            Optional<List<KeyRange>> dense = TableVerifier.denseRanges(c, table, spec.copy().chunkRows());
            if (dense.isPresent()) {
              return dense.get();
            }
            String after = "";
            while (true) {
              beat.check();
              KeyRange range = TableVerifier.nextRange(c, table, after, spec.copy().chunkRows());
              ranges.add(range);
              if (range.openAbove()) {
                return List.copyOf(ranges);
              }
              after = range.upTo();
            }
          });
    }
  }

  @Override
  public ChunkCopied copyChunk(ChunkCopyRequest request) {
    MigrateSpec spec = request.spec();
    ChunkCopier copier = new ChunkCopier();
    try (Heartbeat beat = Heartbeat.start(copier.rows::get, copier::cancel)) {
      return bothSides(
          spec,
          (source, connection) -> Transactions.run(connection, target -> {
                    try {
                      ChunkCopied copied =
                          copier.copy(source, target, spec.targetSchema(), request.table(), request.range());
                      // Cancelled or timed out meanwhile: roll back rather than commit a range
                      // another attempt is already copying.
                      beat.check();
                      return copied;
                    } catch (IOException e) {
                      throw new UncheckedIOException(e);
                    } catch (SQLException e) {
                      beat.check();
                      throw refusedOr(e, request.table(), "rows " + request.range());
                    } catch (RuntimeException e) {
                      beat.check();
                      throw e;
                    }
                  }));
    }
  }

  /** {@code e}, or the failure {@link ChunkCopier#refusedRows} makes of it, thrown. */
  private static SQLException refusedOr(SQLException e, TablePlan t, String rows) {
    ChunkCopier.refusedRows(e, t, rows).ifPresent(f -> {
      throw f;
    });
    return e;
  }

  @FunctionalInterface
  private interface BothSides<T> {
    T run(Connection source, Connection target) throws SQLException;
  }

  /** A connection to the source and one to the target, each side's errors classified as its own. */
  private <T> T bothSides(MigrateSpec spec, BothSides<T> work) {
    return mysql.withConnection(
        spec.source(), SOURCE, source -> pools.withConnection(spec.target(), TARGET, target -> work.run(source, target)));
  }

  @Override
  public void buildIndexes(MigrateSpec spec, TablePlan table) {
    try (Heartbeat beat = Heartbeat.start(table::name, () -> {})) {
      pools.withConnection(
          spec.target(),
          TARGET,
          c -> {
            Transactions.run(c, tx -> {
              try (Statement s = tx.createStatement()) {
                s.execute("SET LOCAL maintenance_work_mem = '" + MAINTENANCE_WORK_MEM + "'");
                for (String ddl : table.afterLoad()) {
                  s.execute(ddl);
                }
                if (!table.identityColumn().isEmpty()) {
                  restartIdentity(s, spec, table, table.nextIdentity());
                }
              }
              return null;
            });
            try (Statement s = c.createStatement()) {
              s.execute("ANALYZE " + qualified(spec, table));
            }
            return null;
          });
      beat.check();
    }
  }

  @Override
  public String resetSequences(MigrateSpec spec, SchemaPlan plan) {
    List<TablePlan> tables = plan.tables().stream().filter(t -> !t.identityColumn().isEmpty()).toList();
    if (tables.isEmpty()) {
      return "no table has an identity";
    }
    return Heartbeat.during("restarting the identities", () -> restartIdentities(spec, tables));
  }

  private String restartIdentities(MigrateSpec spec, List<TablePlan> tables) {
    java.util.Map<String, Long> counters = mysql.withConnection(spec.source(), SOURCE, c -> {
      java.util.Map<String, Long> next = new java.util.HashMap<>();
      MySqlSessions.uncachedTableStatistics(c);
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT TABLE_NAME, AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()")) {
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            next.put(rs.getString(1), rs.getLong(2));
          }
        }
      }
      return next;
    });
    return pools.withConnection(spec.target(), TARGET, connection -> Transactions.run(connection, c -> {
      List<String> restarted = new ArrayList<>();
      try (Statement s = c.createStatement()) {
        for (TablePlan t : tables) {
          restarted.add(t.name() + " at " + restartIdentity(s, spec, t, counters.getOrDefault(t.name(), t.nextIdentity())));
        }
      }
      return String.join(", ", restarted);
    }));
  }

  /**
   * Past the copied maximum and past MySQL's own counter, so no new row reuses a key; returns the
   * value it restarts at.
   */
  private static long restartIdentity(Statement s, MigrateSpec spec, TablePlan t, long sourceNext) throws SQLException {
    String column = ValueSql.pq(t.identityColumn());
    long next = Math.max(t.nextIdentity(), sourceNext);
    try (ResultSet rs = s.executeQuery("SELECT max(" + column + ") FROM " + qualified(spec, t))) {
      if (rs.next() && rs.getString(1) != null) {
        next = Math.max(next, rs.getLong(1) + 1);
      }
    }
    s.execute("ALTER TABLE " + qualified(spec, t) + " ALTER COLUMN " + column + " RESTART WITH " + next);
    return next;
  }

  @Override
  public void addForeignKeys(MigrateSpec spec, TablePlan table) {
    pools.withConnection(
        spec.target(),
        TARGET,
        connection -> Transactions.run(connection, c -> {
          try (Statement s = c.createStatement()) {
            for (String ddl : table.foreignKeys()) {
              s.execute(ddl);
            }
          }
          return null;
        }));
  }

  @Override
  public TableVerification verifyTable(MigrateSpec spec, TablePlan table) {
    return compare(spec, table, (verifier, connections, pauser) ->
        verifier.verify(connections, spec.targetSchema(), table, spec.verify(), pauser));
  }

  @Override
  public SyncResult syncTable(SyncRequest request) {
    MigrateSpec spec = request.spec();
    TablePlan table = request.table();
    String watermark = request.everyColumn() ? "" : spec.sync().watermarks().getOrDefault(table.name(), "");
    long[] changed = new long[2];
    String[] startedAt = new String[1];
    TableVerification walked =
        compare(spec, table, (verifier, connections, pauser) -> {
          startedAt[0] = sourceTime(connections.source());
          RowRepairer repairer = new RowRepairer(connections.source(), connections.target(), spec.targetSchema(), table);
          // Rows changed since the copy began, by the watermark; a first attempt only, as a retry
          // resumes the key comparison where its heartbeat left it.
          TablePlan compared = table;
          if (!watermark.isEmpty()) {
            if (verifier.progress().ranges() == 0) {
              changed[0] += repairer.upsertChangedSince(watermark, request.since(), spec.sync().margin().toSeconds());
              if (verifier.keySetsSoFar(connections, spec.targetSchema(), table).filter(TableVerifier.KeySets::same).isPresent()) {
                return new TableVerification(table.name(), 0, 0, 0, 0, 0, List.of(), 0);
              }
            }
            compared = keysOnly(table);
          }
          TablePlan walkedTable = compared;
          return verifier.walk(connections, spec.targetSchema(), compared, spec.verify(), pauser, (range, differences) -> {
            if (table.primaryKey().isEmpty()) {
              changed[0] += repairer.replaceAll();
              return;
            }
            List<RowDifference> left = differences;
            for (int attempt = 1; !left.isEmpty(); attempt++) {
              if (attempt > REPAIR_ATTEMPTS) {
                throw ApplicationFailure.newNonRetryableFailure(
                    table.name() + ": " + left.size() + " rows still differ after being copied again " + REPAIR_ATTEMPTS
                        + " times, keys " + left.stream().limit(20).map(RowDifference::toString).collect(Collectors.joining(", "))
                        + ": the copy cannot reproduce them (a type override or mapping that loses information),"
                        + " or they change faster than they can be copied",
                    UNREPAIRABLE);
              }
              changed[0] += repairer.upsertKeys(left.stream().filter(d -> d.kind() != RowDifference.Kind.EXTRA_IN_TARGET).map(RowDifference::key).toList());
              changed[1] += repairer.deleteKeys(left.stream().filter(d -> d.kind() == RowDifference.Kind.EXTRA_IN_TARGET).map(RowDifference::key).toList());
              // Only the rows just copied are checked again: rows the application wrote since the
              // walk (new keys at the end of a table under load) are the next sync's to carry. Rows
              // only deleted, by their exact keys, need no second look.
              Set<String> repaired = left.stream().map(RowDifference::key).collect(Collectors.toSet());
              boolean copied = left.stream().anyMatch(d -> d.kind() != RowDifference.Kind.EXTRA_IN_TARGET);
              left = request.everyColumn() && copied
                  ? verifier.differences(connections, spec.targetSchema(), walkedTable, range).stream()
                      .filter(d -> repaired.contains(d.key())).toList()
                  : List.of();
            }
          });
        });
    return new SyncResult(
        table.name(), walked.ranges(), changed[0], changed[1], walked.millis(), walked.sourceRows(), startedAt[0]);
  }

  @Override
  public TableVerification verifyChangedRows(MigrateSpec spec, TablePlan table, String since) {
    String watermark = spec.sync().watermarks().getOrDefault(table.name(), "");
    ColumnPlan column = table.columns().stream().filter(c -> c.name().equals(watermark)).findFirst()
        .orElseThrow(() -> ApplicationFailure.newNonRetryableFailure(
            "sync.watermarks." + table.name() + ": " + table.name() + " has no column \"" + watermark + "\"", FailureTypes.INVALID_INPUT));
    if (!RowRepairer.SINCE.matcher(since).matches()) {
      throw new IllegalArgumentException("since must be a UTC time like 2026-11-30 10:00:00.000000, got " + since);
    }
    long margin = spec.sync().margin().toSeconds();
    String mysqlWhere = " WHERE " + ValueSql.mq(watermark) + " >= TIMESTAMP '" + since + "' - INTERVAL " + margin + " SECOND";
    String from = "(TIMESTAMP '" + since + "' - INTERVAL '" + margin + " seconds')";
    String pgWhere = " WHERE " + ValueSql.pq(watermark) + " >= "
        + (column.family() == ColumnFamily.TIMESTAMP ? from + " AT TIME ZONE 'UTC'" : from);
    return compare(spec, table, (verifier, connections, pauser) -> withKeySets(spec, table, verifier, connections, pauser,
        verifier.compareRows(connections, spec.targetSchema(), table, mysqlWhere, pgWhere, spec.verify())));
  }

  @Override
  public TableVerification verifyLoggedRows(MigrateSpec spec, TablePlan table) {
    if (!table.integerChunks()) {
      return verifyTable(spec, table);
    }
    return compare(spec, table, (verifier, connections, pauser) -> {
      TableVerification logged = new TableVerification(table.name(), 0, 0, 0, 0, 0, List.of(), 0);
      List<Long> keys;
      for (long after = Long.MIN_VALUE; !(keys = ChangeLog.loggedKeys(connections.target(), table, after, LOGGED_KEYS_PER_QUERY)).isEmpty();
          after = keys.get(keys.size() - 1)) {
        String in = " IN (" + keys.stream().map(String::valueOf).collect(Collectors.joining(", ")) + ")";
        logged = added(table, spec.verify().maxListedRows(), logged, verifier.compareRows(connections, spec.targetSchema(), table,
            " WHERE " + ValueSql.mq(table.chunkKey()) + in, " WHERE " + ValueSql.pq(table.chunkKey()) + in, spec.verify()));
      }
      return withKeySets(spec, table, verifier, connections, pauser, logged);
    });
  }

  /**
   * {@code changed} with the verdict on the whole table's keys: the key sets when the table's key is
   * one integer, text or binary column (a walk of the keys only if they differ), else a walk of the
   * keys.
   */
  private static TableVerification withKeySets(MigrateSpec spec, TablePlan table, TableVerifier verifier,
      TableVerifier.Connections connections, TableVerifier.Pauser pauser, TableVerification changed)
      throws SQLException, IOException, InterruptedException {
    if (!TableVerifier.hasKeySets(table)) {
      TableVerification keys = verifier.walk(connections, spec.targetSchema(), keysOnly(table), spec.verify(), pauser, TableVerifier.NO_REPAIR);
      return merged(table, changed, keys);
    }
    TableVerifier.KeySets sets = verifier.keySets(connections, spec.targetSchema(), table);
    TableVerification keys = sets.same()
        ? new TableVerification(table.name(), sets.sourceRows(), sets.targetRows(), 1, 0, 0, List.of(), 0)
        : verifier.walk(connections, spec.targetSchema(), keysOnly(table), spec.verify(), pauser, TableVerifier.NO_REPAIR);
    return merged(table, changed, keys);
  }

  /** Two comparisons of disjoint sets of rows as one, listing at most {@code listed} differences. */
  private static TableVerification added(TablePlan table, int listed, TableVerification a, TableVerification b) {
    List<RowDifference> differences = new ArrayList<>(a.differences());
    differences.addAll(b.differences());
    return new TableVerification(table.name(), a.sourceRows() + b.sourceRows(), a.targetRows() + b.targetRows(), a.ranges() + b.ranges(),
        a.rangesByRow() + b.rangesByRow(), a.differingRows() + b.differingRows(),
        List.copyOf(differences.subList(0, Math.min(listed, differences.size()))), a.millis() + b.millis());
  }

  /** The changed rows' verdict and the key sets' as one: the table's counts, every difference. */
  private static TableVerification merged(TablePlan table, TableVerification changed, TableVerification keys) {
    java.util.LinkedHashSet<RowDifference> all = new java.util.LinkedHashSet<>(changed.differences());
    all.addAll(keys.differences());
    // A key set walk that differs and finds no key means the fingerprint saw a change the
    // comparison could not name: still a difference.
    long keyDifferences = keys.differingRows() == 0 && keys.sourceRows() != keys.targetRows() ? 1 : keys.differingRows();
    return new TableVerification(
        table.name(), keys.sourceRows(), keys.targetRows(), changed.ranges() + keys.ranges(),
        changed.rangesByRow() + keys.rangesByRow(), Math.max(changed.differingRows() + keyDifferences, all.size()), List.copyOf(all),
        changed.millis() + keys.millis());
  }

  /** The source's UTC clock, as the delta sync's watermark searches take it. */
  private static String sourceTime(Connection source) throws SQLException {
    try (Statement s = source.createStatement();
        ResultSet rs = s.executeQuery("SELECT DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%d %H:%i:%s.%f')")) {
      rs.next();
      return rs.getString(1);
    } catch (SQLException e) {
      throw new SourceException(e);
    }
  }

  /** The table as its key columns alone: comparing it finds rows added or deleted, not changed. */
  private static TablePlan keysOnly(TablePlan t) {
    return new TablePlan(
        t.name(), t.columns().stream().filter(c -> t.primaryKey().contains(c.name())).toList(), t.primaryKey(), t.chunkKey(),
        t.estimatedRows(), t.dataBytes(), t.createTable(), t.afterLoad(), t.foreignKeys(), t.referencedTables(), t.identityColumn(),
        t.nextIdentity());
  }

  @FunctionalInterface
  private interface Comparison {
    TableVerification run(TableVerifier verifier, TableVerifier.Connections connections, TableVerifier.Pauser pauser)
        throws SQLException, IOException, InterruptedException;
  }

  /**
   * A walk over a table's ranges with a connection to each side, resuming from the previous
   * attempt's heartbeat; a cancelled step stops between ranges.
   */
  private TableVerification compare(MigrateSpec spec, TablePlan table, Comparison comparison) {
    TableVerifier.Progress from =
        Heartbeat.previousAttempt(TableVerifier.Progress.class).orElse(TableVerifier.Progress.start());
    TableVerifier verifier = new TableVerifier(threads, from);
    AtomicReference<Thread> worker = new AtomicReference<>(Thread.currentThread());
    try (Heartbeat beat = Heartbeat.start(verifier::progress, () -> worker.get().interrupt())) {
      return bothSides(
          spec,
          (source, target) -> mysql.withConnection(spec.source(), SOURCE, jsonSource -> {
                    try (Statement s = target.createStatement()) {
                      s.execute("SET lock_timeout = '" + MySqlSessions.LOCK_WAIT_SECONDS + "s'");
                      s.execute(ValueSql.PG_SESSION);
                    }
                    try {
                      return comparison.run(verifier, new TableVerifier.Connections(source, jsonSource, target), millis -> {
                        beat.check();
                        Thread.sleep(millis);
                      });
                    } catch (SQLException e) {
                      throw refusedOr(e, table, "rows the delta sync copies");
                    } catch (IOException e) {
                      throw new UncheckedIOException(e);
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                      beat.check();
                      throw new IllegalStateException("comparison of " + table.name() + " interrupted", e);
                    }
                  }));
    }
  }

  @Override
  public void dropCreatedTables(MigrateSpec spec, SchemaPlan plan, String runMarker) {
    PostgresConnection target = spec.target();
    pools.withConnection(
        target,
        TARGET,
        connection -> Transactions.run(connection, c -> {
          try (Statement s = c.createStatement()) {
            for (TablePlan t : plan.tables()) {
              String marker = tableMarker(c, spec.targetSchema(), t.name());
              if (runMarker.equals(marker)) {
                s.execute("DROP TABLE " + qualified(spec, t) + " CASCADE");
              }
              for (ColumnPlan col : t.columns()) {
                if (col.onUpdateNow() && runMarker.equals(marker)) {
                  s.execute("DROP FUNCTION IF EXISTS " + ValueSql.pq(spec.targetSchema()) + "."
                      + ValueSql.pq(SchemaConverter.onUpdateName(t.name(), col.name())) + "()");
                }
              }
            }
          }
          return null;
        }));
  }

  private static String qualified(MigrateSpec spec, TablePlan t) {
    return ValueSql.pq(spec.targetSchema()) + "." + ValueSql.pq(t.name());
  }
}
