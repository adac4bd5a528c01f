package io.durablerunbooks.definition;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.durablerunbooks.backup.BackupOptions;
import io.durablerunbooks.backup.BackupSpec;
import io.durablerunbooks.backup.RetentionPolicy;
import io.durablerunbooks.cutover.AppChecks;
import io.durablerunbooks.cutover.ApplicationSpec;
import io.durablerunbooks.cutover.BackupCheck;
import io.durablerunbooks.cutover.BusinessStat;
import io.durablerunbooks.cutover.CutoverSpec;
import io.durablerunbooks.cutover.CutoverSpec.CatchUpOptions;
import io.durablerunbooks.cutover.RollbackCutoverSpec;
import io.durablerunbooks.cutover.WatchOptions;
import io.durablerunbooks.migrate.MigrateSpec;
import io.durablerunbooks.restore.SmokeQuery;
import io.durablerunbooks.runbook.ApprovalPolicy;
import io.durablerunbooks.runbook.RunbookHeader;
import io.durablerunbooks.runbook.RunbookKind;
import io.durablerunbooks.secrets.SecretRef;
import io.durablerunbooks.ssh.SshHost;
import io.durablerunbooks.storage.StorageLocation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The sections of a {@code kind: cutover} file (and of the {@code kind: rollback-cutover} that
 * undoes one): the databases and tables as migrate-data reads them, then catchUp, readOnly,
 * backup, application, statistics, checks and watch.
 */
final class CutoverSections {

  private static final long DEFAULT_MAX_LAG = 1_000;
  private static final int DEFAULT_ROUNDS = 5;
  private static final Duration DEFAULT_DRAIN = Duration.ofSeconds(10);
  private static final Duration MAX_DRAIN = Duration.ofMinutes(5);
  private static final Duration DEFAULT_RELOAD_TIMEOUT = Duration.ofMinutes(2);
  private static final Duration DEFAULT_HEALTHY_WITHIN = Duration.ofSeconds(30);
  private static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
  private static final String DEFAULT_WRITE_BODY = "{\"name\": \"{marker}\"}";
  private static final WatchOptions DEFAULT_WATCH =
      new WatchOptions(Duration.ofHours(24), Duration.ofMinutes(5), 20, 0.05, 0.999, 1.5, Duration.ofMillis(500), 0.05,
          Duration.ofDays(7));
  private static final int MAX_PROBE_REQUESTS = 1_000;
  private static final String PRE_CUTOVER_SUFFIX = "-pre-cutover";

  private static final Pattern VARIABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]{0,63}");
  /** A password written into a connection string: user:secret@ or password=. */
  private static final Pattern INLINE_PASSWORD = Pattern.compile("(?i)(://[^/@\\s]*:[^/@\\s]*@|password=)");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<FieldError> errors;
  private final RunbookValidator validator;

  CutoverSections(List<FieldError> errors, RunbookValidator validator) {
    this.errors = errors;
    this.validator = validator;
  }

  Supplier<RunbookDefinition> cutover(Fields root, RunbookHeader header) {
    Supplier<CutoverSpec> spec = spec(root, header);
    return spec::get;
  }

  Supplier<RunbookDefinition> rollbackCutover(Fields root, RunbookHeader header) {
    String cutover = RunbookValidator.matching(root, "cutover", root.requiredText("cutover"), RunbookValidator.DNS_LABEL,
        "must be the name of the cutover runbook this rollback undoes, like shop-cutover");
    Boolean copyBack = root.bool("copyBack", true);
    Supplier<CutoverSpec> spec = spec(root, header == null || cutover == null ? null : header.as(RunbookKind.CUTOVER, cutover));
    return () -> new RollbackCutoverSpec(header, spec.get(), copyBack);
  }

  private Supplier<CutoverSpec> spec(Fields root, RunbookHeader header) {
    Supplier<MigrateSpec> data = new MigrateSections(errors, validator).cutoverData(root, header == null ? placeholder() : header);
    CatchUpOptions catchUp = catchUp(root);
    Duration drain = drainTimeout(root);
    Backup backup = backup(root, header);
    ApplicationSpec application = application(root);
    List<BusinessStat> statistics = statistics(root);
    List<SmokeQuery> checks = validator.queries(root, "checks");
    WatchOptions watch = watch(root);
    return () -> {
      BackupSpec backupSpec =
          new BackupSpec(
              header.as(RunbookKind.BACKUP, header.name() + PRE_CUTOVER_SUFFIX).withApproval(ApprovalPolicy.unattended()),
              data.get().target(), backup.storage(), backup.options(), backup.retention());
      return new CutoverSpec(
          header, data.get(), catchUp, drain, backupSpec, backup.required(), application, statistics, checks, watch);
    };
  }

  /** For reading the data sections of a file whose header has errors: the spec is never built. */
  private static RunbookHeader placeholder() {
    return new RunbookHeader(RunbookKind.CUTOVER, "invalid", "invalid", "", ApprovalPolicy.unattended(), "");
  }

  private static CatchUpOptions catchUp(Fields root) {
    Fields f = root.object("catchUp");
    if (f == null) {
      return null;
    }
    Integer lag = f.integer("maxLagRows", (int) DEFAULT_MAX_LAG, 0, Integer.MAX_VALUE);
    Integer rounds = f.integer("maxRounds", DEFAULT_ROUNDS, 1, 100);
    f.finish();
    return lag == null || rounds == null ? null : new CatchUpOptions(lag, rounds);
  }

  private static Duration drainTimeout(Fields root) {
    Fields f = root.object("readOnly");
    if (f == null) {
      return null;
    }
    Duration drain = f.positiveDuration("drainTimeout", DEFAULT_DRAIN);
    f.finish();
    if (drain != null && drain.compareTo(MAX_DRAIN) > 0) {
      f.error("drainTimeout", "must be at most 5m: writes are refused while it waits (got " + f.shown("drainTimeout") + ")");
      return null;
    }
    return drain;
  }

  private record Backup(StorageLocation storage, BackupOptions options, RetentionPolicy retention, BackupCheck required) {}

  private Backup backup(Fields root, RunbookHeader header) {
    Fields f = root.requiredObject("backup");
    if (f == null) {
      return null;
    }
    int before = errors.size();
    StorageLocation storage = validator.storage(f);
    BackupOptions options = validator.backupOptionFields(f);
    RetentionPolicy retention = validator.retention(f);
    BackupCheck required = BackupCheck.none();
    Fields r = f.has("require") ? f.object("require") : null;
    if (r != null) {
      String runbook = RunbookValidator.matching(r, "runbook", r.requiredText("runbook"), RunbookValidator.DNS_LABEL,
          "must be the name of the backup runbook whose newest verified backup is required, like orders-db-nightly");
      Duration maxAge = r.positiveDuration("maxAge", BackupCheck.DEFAULT_MAX_AGE);
      r.finish();
      required = runbook == null || maxAge == null ? null : new BackupCheck(runbook, maxAge);
    }
    f.finish();
    if (header != null && header.production() && required != null && !required.required() && header.kind() == RunbookKind.CUTOVER) {
      f.error("require", "a production cutover needs a verified backup first: give backup.require.runbook, the backup"
          + " runbook whose newest verified backup must be at most backup.require.maxAge old");
    }
    return errors.size() == before ? new Backup(storage, options, retention, required) : null;
  }

  private ApplicationSpec application(Fields root) {
    Fields f = root.requiredObject("application");
    if (f == null) {
      return null;
    }
    int before = errors.size();
    DeploySections.Ssh ssh = DeploySections.ssh(f);
    Fields h = f.requiredObject("host");
    String name = null;
    String address = null;
    Integer port = null;
    if (h != null) {
      name = DeploySections.hostName(h);
      address = DeploySections.address(h);
      port = h.integer("port", ssh == null || ssh.port() == null ? 22 : ssh.port(), 1, 65_535);
      h.finish();
    }
    String envFile = RunbookValidator.matching(f, "envFile", f.requiredText("envFile"), DeploySections.HOST_DIRECTORY,
        "must be the absolute path of the application's KEY=value settings file on the host, like /srv/shop/shared/app.env");
    String variable = RunbookValidator.matching(f, "variable", f.text("variable", "DATABASE_URL"), VARIABLE,
        "must be a variable name like DATABASE_URL");
    String mysql = databaseValue(f, "mysql", "mysql://shop@db1:3306/shop");
    String postgres = databaseValue(f, "postgres", "postgresql://shop@pg1:5432/shop");
    if (mysql != null && mysql.equals(postgres)) {
      f.error("postgres", "is the same as application.mysql: the file could not tell which database the application is on");
    }
    String reload = f.requiredText("reload");
    Duration reloadTimeout = f.positiveDuration("reloadTimeout", DEFAULT_RELOAD_TIMEOUT);
    String url = f.requiredText("url");
    if (url != null && !DeploySections.isAppUrl(url)) {
      f.error("url", "must be an http:// or https:// URL where the worker reaches the application, like http://10.0.0.5:8080"
          + " (got " + f.shown("url") + ")");
    }
    AppChecks checks = checks(f);
    f.finish();
    if (errors.size() != before || ssh == null || ssh.user() == null || ssh.access() == null) {
      return null;
    }
    return new ApplicationSpec(
        new SshHost(name, address, port, ssh.user()), ssh.access(), envFile, variable, mysql, postgres, reload, reloadTimeout,
        url.endsWith("/") ? url.substring(0, url.length() - 1) : url, checks);
  }

  /** A connection string for the environment file: a secret reference, or a literal without a password in it. */
  private static String databaseValue(Fields f, String key, String example) {
    String value = f.requiredText(key);
    if (value == null || SecretRef.isReference(value)) {
      return value;
    }
    if (INLINE_PASSWORD.matcher(value).find()) {
      f.error(key, "holds a password: give the whole value as a secret reference like ${file:/run/secrets/" + key
          + "-url}, resolved on the worker and written only to the host");
      return null;
    }
    if (value.contains("\n") || value.contains("\r")) {
      f.error(key, "must be one line, like " + example);
      return null;
    }
    return value;
  }

  private AppChecks checks(Fields app) {
    Fields f = app.object("checks");
    if (f == null) {
      return null;
    }
    int before = errors.size();
    String health = DeploySections.appPath(f, "health", "/health", false);
    String read = DeploySections.appPath(f, "read", "/api/items", false);
    String write = DeploySections.appPath(f, "write", "/api/items", false);
    String body = f.text("writeBody", DEFAULT_WRITE_BODY);
    if (body != null && !body.contains(AppChecks.MARKER)) {
      f.error("writeBody", "must contain {marker} where the check writes its marker text, like " + DEFAULT_WRITE_BODY);
    } else if (body != null) {
      try {
        JSON.readTree(body.replace(AppChecks.MARKER, "durable-runbooks check"));
      } catch (JsonProcessingException e) {
        f.error("writeBody", "must be JSON once {marker} is replaced, like " + DEFAULT_WRITE_BODY + " (" + e.getOriginalMessage() + ")");
      }
    }
    String idField = RunbookValidator.matching(f, "idField", f.text("idField", "id"), IDENTIFIER,
        "must be the name of the field of the write's JSON answer that holds the new row's id, like id");
    String delete = DeploySections.appPath(f, "delete", write == null ? "/api/items/{id}" : write + "/{id}", false);
    if (delete != null && !delete.contains(AppChecks.ID)) {
      f.error("delete", "must contain {id} where the written row's id goes, like /api/items/{id}");
    }
    String table = RunbookValidator.matching(f, "table", f.requiredText("table"), IDENTIFIER,
        "must be the table the written row lands in, like items");
    String column = RunbookValidator.matching(f, "column", f.requiredText("column"), IDENTIFIER,
        "must be the column of that table that holds the marker text, like name");
    Duration healthy = f.positiveDuration("healthyWithin", DEFAULT_HEALTHY_WITHIN);
    Duration timeout = f.positiveDuration("timeout", DEFAULT_REQUEST_TIMEOUT);
    f.finish();
    return errors.size() == before
        ? new AppChecks(health, read, write, body, idField, delete, table, column, healthy, timeout)
        : null;
  }

  private List<BusinessStat> statistics(Fields root) {
    List<Fields> items = root.objectList("statistics");
    if (items == null) {
      return null;
    }
    int before = errors.size();
    List<BusinessStat> stats = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (Fields s : items) {
      String name = s.requiredText("name");
      String sql = s.text("sql", "");
      String mysql = s.text("mysql", "");
      String postgres = s.text("postgres", "");
      s.finish();
      if (name != null && !names.add(name)) {
        s.error("name", "\"" + name + "\" names another figure too; names tell them apart in the report");
      }
      if (sql != null && mysql != null && postgres != null) {
        if (sql.isEmpty() && (mysql.isEmpty() || postgres.isEmpty())) {
          s.error("sql", "required: the query for both databases, or mysql: and postgres: for one each");
        } else if (!sql.isEmpty() && !(mysql.isEmpty() && postgres.isEmpty())) {
          s.error("sql", "give either sql (both databases) or mysql and postgres, not both");
        }
        stats.add(new BusinessStat(name, sql.isEmpty() ? mysql : sql, sql.isEmpty() ? postgres : sql));
      }
    }
    return errors.size() == before ? stats : null;
  }

  private static WatchOptions watch(Fields root) {
    Fields f = root.object("watch");
    if (f == null) {
      return null;
    }
    WatchOptions d = DEFAULT_WATCH;
    Duration period = f.positiveDuration("period", d.period());
    Duration interval = f.positiveDuration("interval", d.interval());
    Integer requests = f.integer("probeRequests", d.probeRequests(), 1, MAX_PROBE_REQUESTS);
    Double errorRate = f.percent("maxErrorRate", d.maxErrorRate());
    Double uptime = f.percent("minUptime", d.minUptime());
    Double factor = f.number("latencyFactor", d.latencyFactor(), 1, 100);
    Duration slow = f.positiveDuration("slowQuery", d.slowQuery());
    Double bloat = f.percent("maxBloat", d.maxBloat());
    Duration retention = f.positiveDuration("mysqlRetention", d.mysqlRetention());
    f.finish();
    if (period != null && interval != null && interval.compareTo(period) > 0) {
      f.error("interval", "must be at most watch.period (" + f.shown("period") + "): the watch samples at least once (got "
          + f.shown("interval") + ")");
      return null;
    }
    if (period == null || interval == null || requests == null || errorRate == null || uptime == null || factor == null
        || slow == null || bloat == null || retention == null) {
      return null;
    }
    return new WatchOptions(period, interval, requests, errorRate, uptime, factor, slow, bloat, retention);
  }
}
