package io.durablerunbooks.cutover;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.durablerunbooks.activities.FailureTypes;
import io.durablerunbooks.activities.Heartbeat;
import io.durablerunbooks.migrate.ChangeLog;
import io.durablerunbooks.migrate.MigrateSpec;
import io.durablerunbooks.migrate.MySqlSessions;
import io.durablerunbooks.migrate.SchemaPlan;
import io.durablerunbooks.migrate.TablePlan;
import io.durablerunbooks.postgres.PostgresPools;
import io.durablerunbooks.restore.SmokeQuery;
import io.durablerunbooks.rollout.HttpProbe;
import io.durablerunbooks.rollout.VersionStats;
import io.durablerunbooks.secrets.SecretResolver;
import io.durablerunbooks.ssh.SshConnections;
import io.temporal.activity.Activity;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/** The cutover's own steps against real MySQL/MariaDB, PostgreSQL and the application's host. */
public final class CutoverActivitiesImpl implements CutoverActivities {

  static final String ALREADY_READ_ONLY = "MySqlAlreadyReadOnly";
  static final String NOT_READ_ONLY = "MySqlNotReadOnly";
  static final String APP_CHECK_FAILED = "ApplicationCheckFailed";
  static final String UNHEALTHY = "ApplicationUnhealthy";
  static final String UNREACHABLE = "ApplicationUnreachable";
  /** Privileges that let an account write although the server is read-only. */
  private static final Set<String> PAST_READ_ONLY = Set.of("SUPER", "READ_ONLY ADMIN", "CONNECTION_ADMIN", "CONNECTION ADMIN");
  /** Privileges that let an account set read_only. */
  private static final Set<String> SETS_READ_ONLY = Set.of("SUPER", "READ_ONLY ADMIN", "SYSTEM_VARIABLES_ADMIN");
  private static final Duration HEALTH_POLL = Duration.ofMillis(100);
  private static final int LISTED_CHANGES = 50;
  private static final String SOURCE = "source";
  private static final String TARGET = "target";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SecretResolver secrets;
  private final MySqlSessions mysql;
  private final PostgresPools pools;
  private final AppHttp web;
  private final HttpProbe probe;

  public CutoverActivitiesImpl(SecretResolver secrets, PostgresPools pools, HttpClient http) {
    this.secrets = Objects.requireNonNull(secrets, "secrets");
    this.mysql = new MySqlSessions(secrets);
    this.pools = Objects.requireNonNull(pools, "pools");
    this.web = new AppHttp(http);
    this.probe = new HttpProbe(http);
  }

  @Override
  public SourceState checkMySql(CutoverSpec spec) {
    return inspectMySql(spec, false);
  }

  @Override
  public SourceState checkMySqlReadOnly(CutoverSpec spec) {
    return inspectMySql(spec, true);
  }

  private SourceState inspectMySql(CutoverSpec spec, boolean expectReadOnly) {
    String appUser = applicationUser(spec.application());
    return mysql.withConnection(spec.data().source(), SOURCE, c -> {
      String version = scalar(c, "SELECT VERSION()");
      boolean readOnly = "1".equals(scalar(c, "SELECT @@GLOBAL.read_only"));
      boolean superReadOnly = !rows(c, "SHOW GLOBAL VARIABLES LIKE 'super_read_only'").isEmpty();
      String binlog = "1".equals(scalar(c, "SELECT @@GLOBAL.log_bin")) ? scalar(c, "SELECT @@GLOBAL.binlog_format") : "";
      if (readOnly && !expectReadOnly) {
        throw ApplicationFailure.newNonRetryableFailure(
            "source: " + spec.data().source().database() + " is on a server that is read-only already: a cutover starts"
                + " from a MySQL the application writes to (a cutover that ended already, or a replica?)", ALREADY_READ_ONLY);
      }
      if (!readOnly && expectReadOnly) {
        throw ApplicationFailure.newNonRetryableFailure(
            "source: " + spec.data().source().database() + " is writable: after a cutover MySQL stays read-only until it is"
                + " rolled back or decommissioned, so something else made it writable and may have written to it; compare it"
                + " with PostgreSQL before rolling back", NOT_READ_ONLY);
      }
      List<String> own = privileges(c, "GRANTEE = CONCAT('''', SUBSTRING_INDEX(CURRENT_USER(), '@', 1), '''@''',"
          + " SUBSTRING_INDEX(CURRENT_USER(), '@', -1), '''')", List.of());
      if (own.stream().noneMatch(SETS_READ_ONLY::contains)) {
        throw ApplicationFailure.newNonRetryableFailure(
            "source.user: " + spec.data().source().user() + " may not set read_only (its global privileges: " + own
                + "); grant it READ_ONLY ADMIN (MariaDB), SYSTEM_VARIABLES_ADMIN and CONNECTION_ADMIN (MySQL 8) or SUPER",
            FailureTypes.PERMISSION_DENIED);
      }
      if (appUser.equals(spec.data().source().user())) {
        throw ApplicationFailure.newNonRetryableFailure(
            "application.mysql: the application logs in as " + appUser + ", the cutover's own account, which read_only"
                + " does not stop: its writes would go on during the switch; give the application an account of its own",
            FailureTypes.INVALID_INPUT);
      }
      List<String> app = privileges(c, "GRANTEE LIKE CONCAT('''', ?, '''@%')", List.of(appUser));
      List<String> past = app.stream().filter(PAST_READ_ONLY::contains).toList();
      if (!past.isEmpty()) {
        throw ApplicationFailure.newNonRetryableFailure(
            "application.mysql: the application's account " + appUser + " has " + past + ", which read_only does not"
                + " stop: its writes would go on during the switch; revoke them", FailureTypes.INVALID_INPUT);
      }
      return new SourceState(version, readOnly, superReadOnly, binlog, appUser);
    });
  }

  /** The user name of the application's MySQL connection string (resolved here, never returned whole). */
  private String applicationUser(ApplicationSpec app) {
    String value = secrets.expand(app.mysqlValue(), "application.mysql");
    try {
      URI uri = new URI(value);
      String user = uri.getUserInfo() == null ? "" : uri.getUserInfo().split(":", 2)[0];
      if (!user.isEmpty()) {
        return user;
      }
    } catch (URISyntaxException e) {
      // reported below, without the value
    }
    throw ApplicationFailure.newNonRetryableFailure(
        "application.mysql: " + (app.mysqlValue().startsWith("${") ? app.mysqlValue() + " holds" : "is")
            + " no connection URL with a user, like mysql://shop@db1:3306/shop; the preflight checks that account's privileges",
        FailureTypes.INVALID_INPUT);
  }

  @Override
  public TargetState checkPostgres(CutoverSpec spec) {
    return pools.withConnection(spec.data().target(), TARGET, c -> {
      String version = scalar(c, "SELECT current_setting('server_version')");
      boolean loaded = List.of(scalar(c, "SELECT current_setting('shared_preload_libraries')").split("\\s*,\\s*"))
          .contains("pg_stat_statements");
      boolean installed = "1".equals(scalar(c, "SELECT count(*) FROM pg_extension WHERE extname = 'pg_stat_statements'"));
      if (!loaded) {
        throw ApplicationFailure.newNonRetryableFailure(
            "target: pg_stat_statements is not in shared_preload_libraries of " + spec.data().target().database()
                + "'s server; add it and restart PostgreSQL: the post-cutover watch reads slow statements from it",
            FailureTypes.INVALID_INPUT);
      }
      String armedBy = ChangeLog.armedBy(c).orElse("");
      String ours = spec.header().workflowId() + " ";
      if (!armedBy.isEmpty() && !armedBy.startsWith(ours)) {
        throw ApplicationFailure.newNonRetryableFailure(
            "target: the change log of " + spec.data().target().database() + " was armed by " + armedBy + ": another cutover"
                + " is still within its rollback period; roll it back or decommission its MySQL first", FailureTypes.INVALID_INPUT);
      }
      return new TargetState(version, true, installed);
    });
  }

  @Override
  public AppState checkApplication(ApplicationSpec application) {
    Engine on = onHost(application, host -> engineOf(application, host.read()));
    String health = web.health(application);
    if (!health.startsWith("HTTP 200")) {
      throw ApplicationFailure.newFailure(
          "application: " + application.url() + application.checks().health() + " answered " + health, UNHEALTHY);
    }
    return new AppState(on, health);
  }

  /** The engine the file's variable names; a non-retryable failure when it names neither. */
  private Engine engineOf(ApplicationSpec app, EnvFile file) {
    String value = file.value(app.variable()).orElseThrow(() -> ApplicationFailure.newNonRetryableFailure(
        "application.variable: " + app.envFile() + " has no " + app.variable() + "= line", FailureTypes.INVALID_INPUT));
    for (Engine e : Engine.values()) {
      if (value.equals(secrets.expand(app.value(e), "application." + (e == Engine.MYSQL ? "mysql" : "postgres")))) {
        return e;
      }
    }
    throw ApplicationFailure.newNonRetryableFailure(
        "application: " + app.variable() + " in " + app.envFile() + " is neither application.mysql nor application.postgres;"
            + " the cutover changes it only from one to the other", FailureTypes.INVALID_INPUT);
  }

  @Override
  public Baseline takeBaseline(CutoverSpec spec, SchemaPlan plan) {
    MigrateSpec data = spec.data();
    SideFigures mine = mysql.withConnection(data.source(), SOURCE, c -> figures(c, plan, spec, true, data.targetSchema()));
    SideFigures theirs = pools.withConnection(data.target(), TARGET, c -> figures(c, plan, spec, false, data.targetSchema()));
    try (Heartbeat beat = Heartbeat.start(() -> "probing " + spec.application().url(), () -> {})) {
      VersionStats app = probe.sample(
          spec.application().url() + spec.application().checks().read(), spec.watch().probeRequests(),
          spec.application().checks().timeout(), () -> true);
      beat.check();
      return new Baseline(mine, theirs, app.requests(), app.failed(), app.p95Millis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while probing the application", e);
    }
  }

  private static SideFigures figures(Connection c, SchemaPlan plan, CutoverSpec spec, boolean mysqlSide, String schema)
      throws SQLException {
    Map<String, Long> rows = new LinkedHashMap<>();
    for (TablePlan t : plan.tables()) {
      String table = mysqlSide ? "`" + t.name() + "`" : quoted(schema) + "." + quoted(t.name());
      rows.put(t.name(), Long.parseLong(scalar(c, "SELECT count(*) FROM " + table)));
    }
    return new SideFigures(rows, statistics(c, spec, mysqlSide));
  }

  private static Map<String, String> statistics(Connection c, CutoverSpec spec, boolean mysqlSide) throws SQLException {
    Map<String, String> stats = new LinkedHashMap<>();
    for (BusinessStat s : spec.statistics()) {
      try {
        String v = scalar(c, mysqlSide ? s.mysql() : s.postgres());
        stats.put(s.name(), v == null ? "NULL" : v);
      } catch (SQLException e) {
        throw ApplicationFailure.newNonRetryableFailure(
            "statistics " + s.name() + ": the query fails on " + (mysqlSide ? "MySQL" : "PostgreSQL") + ": " + e.getMessage(),
            FailureTypes.INVALID_INPUT);
      }
    }
    return stats;
  }

  @Override
  public ReadOnlyResult setMySqlReadOnly(CutoverSpec spec) {
    return Heartbeat.during("setting MySQL read-only", () -> mysql.withConnection(spec.data().source(), SOURCE, c -> {
      long started = System.nanoTime();
      boolean superReadOnly = !rows(c, "SHOW GLOBAL VARIABLES LIKE 'super_read_only'").isEmpty();
      try (Statement s = c.createStatement()) {
        // Setting read_only waits for the statements committing at that moment; a short lock wait
        // keeps a stuck commit from holding the whole window.
        s.execute("SET SESSION lock_wait_timeout = " + Math.max(1, spec.drainTimeout().toSeconds()));
        s.execute("SET GLOBAL read_only = ON");
        if (superReadOnly) {
          s.execute("SET GLOBAL super_read_only = ON");
        }
      }
      if (!"1".equals(scalar(c, "SELECT @@GLOBAL.read_only"))) {
        throw new IllegalStateException("read_only still reads OFF after SET GLOBAL read_only = ON");
      }
      int open = Integer.parseInt(scalar(c, "SELECT count(*) FROM information_schema.INNODB_TRX WHERE trx_rows_modified > 0"));
      return new ReadOnlyResult((System.nanoTime() - started) / 1_000_000, open, superReadOnly);
    }));
  }

  @Override
  public void setMySqlWritable(CutoverSpec spec) {
    Heartbeat.during("making MySQL writable", () -> mysql.withConnection(spec.data().source(), SOURCE, c -> {
      boolean superReadOnly = !rows(c, "SHOW GLOBAL VARIABLES LIKE 'super_read_only'").isEmpty();
      try (Statement s = c.createStatement()) {
        if (superReadOnly) {
          s.execute("SET GLOBAL super_read_only = OFF");
        }
        s.execute("SET GLOBAL read_only = OFF");
      }
      if (!"0".equals(scalar(c, "SELECT @@GLOBAL.read_only"))) {
        throw new IllegalStateException("read_only still reads ON after SET GLOBAL read_only = OFF");
      }
      return null;
    }));
  }

  @Override
  public StatsComparison compareStatistics(CutoverSpec spec) {
    return Heartbeat.during("comparing the business figures", () -> {
      Map<String, String> mine = mysql.withConnection(spec.data().source(), SOURCE, c -> statistics(c, spec, true));
      Map<String, String> theirs = pools.withConnection(spec.data().target(), TARGET, c -> statistics(c, spec, false));
      List<String> differing = new ArrayList<>();
      for (BusinessStat s : spec.statistics()) {
        if (!sameValue(mine.get(s.name()), theirs.get(s.name()))) {
          differing.add(s.name());
        }
      }
      return new StatsComparison(mine, theirs, differing);
    });
  }

  /** Numbers compare by value (MySQL writes 10.50 where PostgreSQL may write 10.5), text exactly. */
  static boolean sameValue(String a, String b) {
    if (Objects.equals(a, b)) {
      return true;
    }
    try {
      return new BigDecimal(a).compareTo(new BigDecimal(b)) == 0;
    } catch (NumberFormatException | NullPointerException e) {
      return false;
    }
  }

  @Override
  public void armChangeLog(CutoverSpec spec, SchemaPlan plan, String armedBy) {
    Heartbeat.during("arming the change log", () -> pools.withConnection(spec.data().target(), TARGET, c -> {
      try {
        ChangeLog.arm(c, spec.data().targetSchema(), plan.tables(), armedBy);
      } catch (IllegalStateException e) {
        throw ApplicationFailure.newNonRetryableFailure("target: " + e.getMessage(), FailureTypes.INVALID_INPUT);
      }
      return null;
    }));
  }

  @Override
  public ChangeInventory listPostgresWrites(CutoverSpec spec, SchemaPlan plan) {
    return pools.withConnection(spec.data().target(), TARGET, c -> ChangeLog.inventory(c, plan.tables(), LISTED_CHANGES));
  }

  @Override
  public CopyBackResult copyBackPostgresWrites(CutoverSpec spec, SchemaPlan plan) {
    return Heartbeat.during("copying PostgreSQL's writes back to MySQL", () -> pools.withConnection(spec.data().target(), TARGET,
        pg -> mysql.withConnection(spec.data().source(), SOURCE, my -> {
          // super_read_only stops every account; read_only alone lets this one write.
          if (!rows(my, "SHOW GLOBAL VARIABLES LIKE 'super_read_only'").isEmpty()) {
            try (Statement s = my.createStatement()) {
              s.execute("SET GLOBAL super_read_only = OFF");
            }
          }
          CopyBackResult copied = ChangeLog.copyBack(pg, my, spec.data().targetSchema(), plan.tables());
          advanceAutoIncrements(pg, my, spec.data().targetSchema(), plan);
          return copied;
        })));
  }

  /**
   * MySQL's AUTO_INCREMENT past every key PostgreSQL handed out, also those of rows it deleted
   * since: back on MySQL, the application must not be given a key it saw before.
   */
  private static void advanceAutoIncrements(Connection pg, Connection my, String schema, SchemaPlan plan) throws SQLException {
    MySqlSessions.uncachedTableStatistics(my);
    for (TablePlan t : plan.tables()) {
      if (t.identityColumn().isEmpty()) {
        continue;
      }
      long issued;
      try (PreparedStatement ps = pg.prepareStatement("SELECT pg_get_serial_sequence(?, ?)")) {
        ps.setString(1, quoted(schema) + "." + quoted(t.name()));
        ps.setString(2, t.identityColumn());
        try (ResultSet rs = ps.executeQuery()) {
          String sequence = rs.next() ? rs.getString(1) : null;
          if (sequence == null) {
            continue;
          }
          issued = Long.parseLong(scalar(pg, "SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM " + sequence));
        }
      }
      long next = count(my, "SELECT COALESCE(AUTO_INCREMENT, 1) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"
          + " AND TABLE_NAME = ?", t.name());
      if (next <= issued) {
        try (Statement s = my.createStatement()) {
          s.execute("ALTER TABLE `" + t.name().replace("`", "``") + "` AUTO_INCREMENT = " + (issued + 1));
        }
      }
    }
  }

  @Override
  public void disarmChangeLog(CutoverSpec spec, SchemaPlan plan) {
    Heartbeat.during("dropping the change log", () -> pools.withConnection(spec.data().target(), TARGET, c -> {
      ChangeLog.disarm(c, spec.data().targetSchema(), plan.tables());
      return null;
    }));
  }

  @Override
  public SwitchResult switchApplication(ApplicationSpec application, Engine to) {
    String value = secrets.expand(application.value(to), "application." + (to == Engine.MYSQL ? "mysql" : "postgres"));
    try (Heartbeat beat = Heartbeat.start(() -> "switching the application to " + to.shown(), () -> {})) {
      // One SSH session for the file and the reload: a second handshake would be time the
      // application cannot write.
      Switched switched = onHost(application, host -> new Switched(pointAt(host, application, to, value), host.reload()));
      beat.check();
      long healthyMillis = awaitHealthy(application, beat);
      return new SwitchResult(to, switched.changed(), switched.reloadMillis(), healthyMillis);
    }
  }

  private record Switched(boolean changed, long reloadMillis) {}

  /** The env file set to {@code value}, the one from before the cutover kept; false when it already was. */
  private boolean pointAt(AppHost host, ApplicationSpec application, Engine to, String value) {
    EnvFile file = host.read();
    Engine on = engineOf(application, file);
    if (on == to) {
      return false;
    }
    if (on == Engine.MYSQL) {
      host.write(application.keptFile(), file, application.envFile());
      host.write(application.envFile(), file.with(application.variable(), value), application.envFile());
    } else {
      EnvFile back = host.kept()
          .filter(k -> k.value(application.variable()).map(v -> v.equals(value)).orElse(false))
          .orElse(file.with(application.variable(), value));
      host.write(application.envFile(), back, application.envFile());
    }
    return true;
  }

  private long awaitHealthy(ApplicationSpec app, Heartbeat beat) {
    long started = System.nanoTime();
    long deadline = started + app.checks().healthyWithin().toNanos();
    String last = web.health(app);
    while (!last.startsWith("HTTP 200")) {
      if (System.nanoTime() > deadline) {
        throw ApplicationFailure.newNonRetryableFailure(
            "application: not healthy " + app.checks().healthyWithin().toSeconds() + " s after the reload: "
                + app.url() + app.checks().health() + " answered " + last, UNHEALTHY);
      }
      beat.check();
      sleep(HEALTH_POLL);
      last = web.health(app);
    }
    return (System.nanoTime() - started) / 1_000_000;
  }

  @Override
  public AppCheckResult checkApplicationEndToEnd(CutoverSpec spec, Engine expected, String runMarker) {
    long started = System.nanoTime();
    // Each engine and attempt marks its own row: a row an earlier attempt could not delete (and a
    // rollback may have copied back) is never taken for this one's.
    int attempt = Activity.getExecutionContext().getInfo().getAttempt();
    String marker = runMarker + " " + expected.name().toLowerCase(Locale.ROOT) + " " + attempt;
    if (attempt > 1 || expected == Engine.MYSQL) {
      // An attempt whose answer was lost may have left its row; on MySQL, a rollback may have
      // copied back the row of a check on PostgreSQL. The run's own marker rows only.
      removeMarkedRows(spec, expected, runMarker);
    }
    ApplicationSpec app = spec.application();
    AppChecks checks = app.checks();
    List<String> done = new ArrayList<>();
    String health = web.health(app);
    require(health.startsWith("HTTP 200"), "health " + checks.health() + " answered " + health);
    done.add("health " + checks.health() + ": " + health);
    AppHttp.Answer read = web.request("GET", app.url() + checks.read(), "", checks.timeout());
    reachable(read, "read " + checks.read());
    require(read.status() == 200, "read " + checks.read() + " answered " + read.withBody());
    done.add("read " + checks.read() + ": " + read);
    AppHttp.Answer written = web.request("POST", app.url() + checks.write(), checks.writeBody().replace(AppChecks.MARKER, marker), checks.timeout());
    reachable(written, "write " + checks.write());
    require(written.status() / 100 == 2, "write " + checks.write() + " answered " + written.withBody());
    String id = idOf(written, checks);
    done.add("write " + checks.write() + ": " + written + ", id " + id);
    long here = markedRows(spec, expected, marker, Optional.of(id));
    require(here == 1, "the row written through the application (" + checks.column() + " = '" + marker + "') is "
        + (here == 0 ? "not in " : here + " times in ") + expected.shown() + ": the application writes elsewhere");
    Engine other = expected == Engine.MYSQL ? Engine.POSTGRES : Engine.MYSQL;
    // By the marker alone: an application writing to both databases would not give both rows one key.
    long there = markedRows(spec, other, marker, Optional.empty());
    require(there == 0, "the row written through the application is in " + other.shown() + " too");
    done.add("the written row is in " + expected.shown() + " and not in " + other.shown());
    AppHttp.Answer deleted = web.request("DELETE", app.url() + checks.delete().replace(AppChecks.ID, id), "", checks.timeout());
    reachable(deleted, "delete " + checks.delete());
    require(deleted.status() / 100 == 2, "delete " + checks.delete() + " answered " + deleted.withBody());
    require(markedRows(spec, expected, marker, Optional.of(id)) == 0, "the row deleted through the application is still in " + expected.shown());
    done.add("delete " + checks.delete().replace(AppChecks.ID, id) + ": " + deleted + ", the row is gone");
    if (expected == Engine.POSTGRES) {
      done.addAll(pools.withConnection(spec.data().target(), TARGET, c -> queries(c, spec.checks())));
    }
    return new AppCheckResult(expected, done, (System.nanoTime() - started) / 1_000_000);
  }

  /** No answer at all is retried (with a row of its own), an answer that refuses is not. */
  private static void reachable(AppHttp.Answer answer, String call) {
    if (answer.status() == 0) {
      throw ApplicationFailure.newFailure("application check: " + call + " got " + answer, UNREACHABLE);
    }
  }

  private void removeMarkedRows(CutoverSpec spec, Engine engine, String runMarker) {
    AppChecks checks = spec.application().checks();
    String prefix = runMarker.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + " %";
    if (engine == Engine.MYSQL) {
      mysql.withConnection(spec.data().source(), SOURCE, c ->
          update(c, "DELETE FROM `" + checks.table() + "` WHERE `" + checks.column() + "` LIKE ?", prefix));
    } else {
      pools.withConnection(spec.data().target(), TARGET, c -> update(c, "DELETE FROM " + quoted(spec.data().targetSchema()) + "."
          + quoted(checks.table()) + " WHERE " + quoted(checks.column()) + " LIKE ?", prefix));
    }
  }

  private static int update(Connection c, String sql, String param) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, param);
      return ps.executeUpdate();
    }
  }

  /**
   * The rows holding the marker, found through the table's primary key when it is one column and
   * {@code id} is given: the check runs inside the emergency rollback, where scanning a large table
   * by the marker column (rarely indexed) would hold the application back.
   */
  private long markedRows(CutoverSpec spec, Engine engine, String marker, Optional<String> id) {
    AppChecks checks = spec.application().checks();
    if (engine == Engine.MYSQL) {
      return mysql.withConnection(spec.data().source(), SOURCE, c -> {
        Optional<String> key = id.isPresent() ? singleColumnKey(c, c.getCatalog(), null, checks.table()) : Optional.empty();
        return countMarked(c, "`" + checks.table() + "`", key.map(k -> "`" + k + "`"), "`" + checks.column() + "`", marker, id);
      });
    }
    String schema = spec.data().targetSchema();
    return pools.withConnection(spec.data().target(), TARGET, c -> {
      Optional<String> key = id.isPresent() ? singleColumnKey(c, null, schema, checks.table()) : Optional.empty();
      return countMarked(c, quoted(schema) + "." + quoted(checks.table()), key.map(CutoverActivitiesImpl::quoted), quoted(checks.column()),
          marker, id);
    });
  }

  private static long countMarked(Connection c, String table, Optional<String> key, String column, String marker, Optional<String> id)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT count(*) FROM " + table + " WHERE " + column + " = ?" + (key.isPresent() ? " AND " + key.get() + " = ?" : ""))) {
      ps.setString(1, marker);
      if (key.isPresent()) {
        String value = id.orElseThrow();
        // A number bound as a number: PostgreSQL compares no integer column with text.
        if (value.matches("-?\\d{1,18}")) {
          ps.setLong(2, Long.parseLong(value));
        } else {
          ps.setString(2, value);
        }
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static Optional<String> singleColumnKey(Connection c, String catalog, String schema, String table) throws SQLException {
    List<String> columns = new ArrayList<>();
    try (ResultSet rs = c.getMetaData().getPrimaryKeys(catalog, schema, table)) {
      while (rs.next()) {
        columns.add(rs.getString("COLUMN_NAME"));
      }
    }
    return columns.size() == 1 ? Optional.of(columns.get(0)) : Optional.empty();
  }

  private static List<String> queries(Connection c, List<SmokeQuery> queries) throws SQLException {
    List<String> done = new ArrayList<>();
    for (SmokeQuery q : queries) {
      List<String> result;
      try {
        result = rows(c, q.sql());
      } catch (SQLException e) {
        throw ApplicationFailure.newNonRetryableFailure("checks " + q.name() + ": the query fails: " + e.getMessage(), APP_CHECK_FAILED);
      }
      boolean passed = q.expect().isEmpty() ? !result.isEmpty() : !result.isEmpty() && q.expect().equals(result.get(0));
      require(passed, "check " + q.name() + ": expected " + (q.expect().isEmpty() ? "a row" : q.expect()) + ", got "
          + (result.isEmpty() ? "no row" : result.get(0)));
      done.add("check " + q.name() + ": " + (result.isEmpty() ? "" : result.get(0)));
    }
    return done;
  }

  @Override
  public void enableMonitoring(CutoverSpec spec) {
    pools.withConnection(spec.data().target(), TARGET, c -> {
      try (Statement s = c.createStatement()) {
        s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        s.execute("SELECT pg_stat_statements_reset()");
        s.execute("SELECT pg_stat_reset()");
      }
      return null;
    });
  }

  private static String idOf(AppHttp.Answer written, AppChecks checks) {
    try {
      JsonNode id = JSON.readTree(written.body()).get(checks.idField());
      if (id != null && (id.isIntegralNumber() || id.isTextual()) && !id.asText().isEmpty()) {
        return id.asText();
      }
    } catch (IOException e) {
      // reported below
    }
    throw ApplicationFailure.newNonRetryableFailure(
        "application.checks.idField: the write's answer has no field " + checks.idField() + " holding the new row's id", APP_CHECK_FAILED);
  }

  private static void require(boolean passed, String failure) {
    if (!passed) {
      throw ApplicationFailure.newNonRetryableFailure("application check failed: " + failure, APP_CHECK_FAILED);
    }
  }

  private <T> T onHost(ApplicationSpec app, Function<AppHost, T> action) {
    try (SshConnections connections = new SshConnections(secrets)) {
      return action.apply(new AppHost(connections.to(app.host(), app.access()), app));
    }
  }

  private static List<String> privileges(Connection c, String where, List<String> params) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT PRIVILEGE_TYPE FROM information_schema.USER_PRIVILEGES WHERE " + where)) {
      for (int i = 0; i < params.size(); i++) {
        ps.setString(i + 1, params.get(i));
      }
      List<String> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
      return out;
    }
  }

  private static long count(Connection c, String sql, String param) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, param);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static String scalar(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  /** The first column of every row. */
  private static List<String> rows(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      List<String> out = new ArrayList<>();
      while (rs.next()) {
        out.add(rs.getString(1));
      }
      return out;
    }
  }

  private static String quoted(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
