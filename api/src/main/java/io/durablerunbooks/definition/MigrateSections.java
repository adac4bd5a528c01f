package io.durablerunbooks.definition;

import io.durablerunbooks.migrate.MigrateSpec;
import io.durablerunbooks.migrate.MigrateSpec.CopyOptions;
import io.durablerunbooks.migrate.MigrateSpec.KeylessTables;
import io.durablerunbooks.migrate.MigrateSpec.SyncOptions;
import io.durablerunbooks.migrate.MigrateSpec.VerifyOptions;
import io.durablerunbooks.migrate.MySqlConnection;
import io.durablerunbooks.postgres.PostgresConnection;
import io.durablerunbooks.runbook.RunbookHeader;
import io.durablerunbooks.runbook.RunbookKind;
import io.durablerunbooks.secrets.SecretRef;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The sections of a {@code kind: migrate-data} file (source, target, tables, columnTypes, copy,
 * sync, verify), read like the rest of the file by {@link RunbookValidator}.
 */
final class MigrateSections {

  private static final int DEFAULT_PARALLELISM = 2;
  private static final int MAX_PARALLELISM = 16;
  private static final int DEFAULT_CHUNK_ROWS = 100_000;
  private static final Duration DEFAULT_QUERY_TIME = Duration.ofMillis(500);
  private static final Duration MAX_QUERY_TIME = Duration.ofSeconds(30);
  private static final int DEFAULT_LISTED = 100;
  private static final String DEFAULT_SCHEMA = "public";
  private static final Duration DEFAULT_MARGIN = Duration.ofMinutes(15);

  /** A MySQL name we accept: what needs no quoting there, so it cannot smuggle SQL. */
  private static final Pattern TABLE = Pattern.compile("[A-Za-z0-9_$]{1,64}");
  private static final Pattern COLUMN_KEY = Pattern.compile("([A-Za-z0-9_$]{1,64})\\.([A-Za-z0-9_$]{1,64})");
  private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
  /** PostgreSQL type names with an optional (n) or (p,s) and array brackets: no room for more DDL. */
  private static final Pattern PG_TYPE =
      Pattern.compile("[a-z][a-z0-9_]*( [a-z][a-z0-9_]*){0,3}(\\(\\d{1,4}(,\\s?\\d{1,4})?\\))?(\\[\\])?");

  private final List<FieldError> errors;
  private final RunbookValidator validator;

  MigrateSections(List<FieldError> errors, RunbookValidator validator) {
    this.errors = errors;
    this.validator = validator;
  }

  Supplier<RunbookDefinition> migrate(Fields root, RunbookHeader header) {
    Supplier<MigrateSpec> data = data(root, header, () -> copy(root), () -> sync(root, true));
    return data::get;
  }

  /**
   * The databases and tables of a cutover, as a migrate-data file states them: its sync always
   * runs (no {@code sync.enabled}), and {@code parallelism} says how many tables are synced and
   * verified at once.
   */
  Supplier<MigrateSpec> cutoverData(Fields root, RunbookHeader header) {
    return data(
        root,
        header.as(RunbookKind.MIGRATE_DATA, header.name()),
        () -> {
          Integer parallelism = root.integer("parallelism", DEFAULT_PARALLELISM, 1, MAX_PARALLELISM);
          return parallelism == null ? null : new CopyOptions(parallelism, DEFAULT_CHUNK_ROWS);
        },
        () -> sync(root, false));
  }

  /** Reads the sections in the order a file lists them, so errors come in that order too. */
  private Supplier<MigrateSpec> data(
      Fields root, RunbookHeader header, Supplier<CopyOptions> copyOptions, Supplier<SyncOptions> syncOptions) {
    MySqlConnection source = source(root);
    Fields t = root.requiredObject("target");
    PostgresConnection target = null;
    String schema = null;
    if (t != null) {
      target = validator.connection(t);
      schema = t.text("schema", DEFAULT_SCHEMA);
      if (schema != null && !SCHEMA.matcher(schema).matches()) {
        t.error("schema", "must be a lowercase PostgreSQL schema name like public or shop (got " + t.shown("schema") + ")");
        schema = null;
      }
      t.finish();
    }
    Fields tables = root.object("tables");
    List<String> include = tables == null ? null : names(tables, "include", "a table name");
    List<String> exclude = tables == null ? null : names(tables, "exclude", "a table name");
    KeylessTables keyless = tables == null ? null : keyless(tables);
    if (tables != null) {
      tables.finish();
    }
    Map<String, String> columnTypes = columnTypes(root);
    Map<String, String> checkConstraints = checkConstraints(root);
    List<String> leaveBehind = names(root, "leaveBehind", "a trigger, view, procedure, function or event name");
    CopyOptions copy = copyOptions.get();
    SyncOptions sync = syncOptions.get();
    VerifyOptions verify = verify(root);
    PostgresConnection targetConnection = target;
    String targetSchema = schema;
    return () ->
        new MigrateSpec(
            header, source, targetConnection, targetSchema, include, exclude, keyless, columnTypes, checkConstraints, leaveBehind, copy,
            sync, verify);
  }

  private MySqlConnection source(Fields root) {
    Fields f = root.requiredObject("source");
    if (f == null) {
      return null;
    }
    int before = errors.size();
    String url = f.requiredText("url");
    if (url != null) {
      String problem =
          url.toLowerCase(Locale.ROOT).contains("password=")
              ? "must not carry a password: give it in " + f.pathOf("password") + " as a secret reference"
              : MySqlConnection.problemWith(url);
      if (problem != null) {
        f.error("url", problem + (problem.startsWith("must not carry") ? "" : " (got " + f.shown("url") + ")"));
      }
    }
    String user = f.requiredText("user");
    SecretRef password = f.secret("password", "MYSQL_PASSWORD", "/run/secrets/mysql");
    f.finish();
    return errors.size() == before ? new MySqlConnection(url, user, password) : null;
  }

  /** A list of MySQL names ({@code what}), each one accepted by {@link #TABLE}, none twice. */
  private List<String> names(Fields f, String key, String what) {
    List<String> names = f.textList(key);
    if (names == null) {
      return null;
    }
    Set<String> seen = new HashSet<>();
    boolean ok = true;
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      String problem =
          !TABLE.matcher(name).matches()
              ? "must be " + what + " of letters, digits, '_' or '$' (got \"" + name + "\")"
              : !seen.add(name) ? "\"" + name + "\" is listed twice" : null;
      if (problem != null) {
        errors.add(new FieldError(f.pathOf(key) + "[" + i + "]", problem));
        ok = false;
      }
    }
    return ok ? names : null;
  }

  private static KeylessTables keyless(Fields f) {
    String choice = f.choice("withoutPrimaryKey", "refuse", List.of("refuse", "copy-whole"));
    if (choice == null) {
      return null;
    }
    return choice.equals("refuse") ? KeylessTables.REFUSE : KeylessTables.COPY_WHOLE;
  }

  /** {@code checkConstraints}: each key a table.constraint, each value skip or an expression. */
  private Map<String, String> checkConstraints(Fields root) {
    return tableKeyed(root, "checkConstraints", "table.constraint, like orders.total_positive", value -> value.contains(";")
        ? Optional.of("must be skip, or a PostgreSQL boolean expression like \"total >= 0\" (got \"" + value + "\")")
        : Optional.empty());
  }

  private Map<String, String> columnTypes(Fields root) {
    return tableKeyed(root, "columnTypes", "table.column, like orders.shape", value -> PG_TYPE.matcher(value.trim().toLowerCase(Locale.ROOT)).matches()
        ? Optional.empty()
        : Optional.of("must be a PostgreSQL type like text, bigint, numeric(20,0) or timestamp with time zone (got \"" + value + "\")"));
  }

  /**
   * A mapping whose keys name something of a table ({@code orders.total}): every key and every value
   * checked, each error recorded; null if any.
   */
  private Map<String, String> tableKeyed(Fields root, String field, String keyForm, Function<String, Optional<String>> valueError) {
    Map<String, String> map = root.textMap(field);
    if (map == null) {
      return null;
    }
    boolean ok = true;
    for (Map.Entry<String, String> e : map.entrySet()) {
      Optional<String> error = COLUMN_KEY.matcher(e.getKey()).matches()
          ? valueError.apply(e.getValue())
          : Optional.of("the key must be " + keyForm);
      if (error.isPresent()) {
        errors.add(new FieldError(root.pathOf(field) + "." + e.getKey(), error.get()));
        ok = false;
      }
    }
    return ok ? map : null;
  }

  private static CopyOptions copy(Fields root) {
    Fields f = root.object("copy");
    if (f == null) {
      return null;
    }
    Integer parallelism = f.integer("parallelism", DEFAULT_PARALLELISM, 1, MAX_PARALLELISM);
    Integer chunkRows = f.integer("chunkRows", DEFAULT_CHUNK_ROWS, 1_000, 10_000_000);
    f.finish();
    return parallelism == null || chunkRows == null ? null : new CopyOptions(parallelism, chunkRows);
  }

  /** @param optional whether {@code sync.enabled} is a field: a cutover always syncs */
  private SyncOptions sync(Fields root, boolean optional) {
    Fields f = root.object("sync");
    if (f == null) {
      return null;
    }
    Boolean enabled = optional ? f.bool("enabled", false) : Boolean.TRUE;
    Map<String, String> watermarks = f.textMap("watermarks");
    if (watermarks != null) {
      for (Map.Entry<String, String> e : watermarks.entrySet()) {
        if (!TABLE.matcher(e.getKey()).matches() || !TABLE.matcher(e.getValue()).matches()) {
          errors.add(
              new FieldError(
                  f.pathOf("watermarks") + "." + e.getKey(),
                  "must map a table name to a column name, like orders: updated_at"));
          watermarks = null;
          break;
        }
      }
    }
    Duration margin = f.positiveDuration("margin", DEFAULT_MARGIN);
    f.finish();
    return enabled == null || watermarks == null || margin == null ? null : new SyncOptions(enabled, watermarks, margin);
  }

  private static VerifyOptions verify(Fields root) {
    Fields f = root.object("verify");
    if (f == null) {
      return null;
    }
    Boolean enabled = f.bool("enabled", true);
    Duration queryTime = f.positiveDuration("queryTime", DEFAULT_QUERY_TIME);
    if (queryTime != null && queryTime.compareTo(MAX_QUERY_TIME) > 0) {
      f.error("queryTime", "must be at most 30s: checksum queries are kept short so they never hold up the source");
      queryTime = null;
    }
    Integer listed = f.integer("maxListedRows", DEFAULT_LISTED, 1, 10_000);
    f.finish();
    return enabled == null || queryTime == null || listed == null ? null : new VerifyOptions(enabled, queryTime, listed);
  }
}
