package io.durablerunbooks.definition;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.durablerunbooks.backup.BackupManifest;
import io.durablerunbooks.backup.BackupOptions;
import io.durablerunbooks.backup.BackupSpec;
import io.durablerunbooks.backup.Compression;
import io.durablerunbooks.backup.RetentionPolicy;
import io.durablerunbooks.postgres.PostgresConnection;
import io.durablerunbooks.restore.RestoreSpec;
import io.durablerunbooks.restore.SmokeQuery;
import io.durablerunbooks.restore.SmokeSpec;
import io.durablerunbooks.restoretest.RestoreTestSpec;
import io.durablerunbooks.runbook.ApprovalPolicy;
import io.durablerunbooks.runbook.RunbookHeader;
import io.durablerunbooks.runbook.RunbookKind;
import io.durablerunbooks.secrets.SecretRef;
import io.durablerunbooks.storage.StorageLocation;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The one place that knows what a runbook file may say: walks the YAML tree, records every problem
 * under its field path, applies the rules that span fields, and builds the spec records only when
 * nothing was wrong. See docs/runbook-files.md for the format.
 */
final class RunbookValidator {

  /** Fields holding a list of words or numbers, so {@code --set approvers=alice,bob} splits on commas. */
  static final Set<String> WORD_LISTS = Set.of("approvers", "only", "steps");

  /** The names a restore-test gives the backup and restore it runs: {@code <name>-backup}, ... */
  private static final String TEST_BACKUP_SUFFIX = "-backup";
  private static final String TEST_RESTORE_SUFFIX = "-restore";

  private static final List<String> STORAGE_CLASSES =
      List.of(
          "STANDARD",
          "STANDARD_IA",
          "ONEZONE_IA",
          "INTELLIGENT_TIERING",
          "GLACIER_IR",
          "REDUCED_REDUNDANCY");
  private static final Set<String> ARCHIVE_CLASSES = Set.of("GLACIER", "DEEP_ARCHIVE");
  private static final long MAX_PART_SIZE = 5L * 1024 * 1024 * 1024;
  private static final String DEFAULT_REGION = "us-east-1";
  private static final RetentionPolicy DEFAULT_RETENTION = new RetentionPolicy(7, 4);

  private static final int MAX_NAME = 63;
  static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  private static final String DNS_RULE =
      "must be lowercase letters, digits and '-' (not first or last), at most 63 characters,"
          + " because workflow ids and S3 keys derive from it";
  private static final Pattern WORD = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,62}");
  private static final Pattern APPROVER = Pattern.compile("[^\\s,]+");
  private static final Pattern REGION = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");
  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
  private static final Pattern PREFIX = Pattern.compile("([^/]+(/[^/]+)*)?");
  private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "[::1]");

  private final List<FieldError> errors;

  RunbookValidator(List<FieldError> errors) {
    this.errors = errors;
  }

  /** The definition, or null when problems were recorded in the error list. */
  RunbookDefinition validate(JsonNode tree) {
    if (!tree.isObject()) {
      errors.add(
          new FieldError(
              "",
              "expected a mapping of fields starting with kind: and name:, got "
                  + Fields.describe(tree)));
      return null;
    }
    Fields root = Fields.root((ObjectNode) tree, errors);
    RunbookKind kind = kind(root);
    String name = name(root, kind);
    String environment = matching(root, "environment", root.requiredText("environment"), WORD,
        "must be one word of letters, digits, '-' or '_', e.g. production or staging");
    RunbookHeader header = header(root, kind, name, environment);
    if (kind == null) {
      return null;
    }
    Supplier<RunbookDefinition> build =
        switch (kind) {
          case BACKUP -> backup(root, header);
          case RESTORE -> restore(root, header, environment);
          case RESTORE_TEST -> restoreTest(root, header, environment);
          case DEPLOY -> new DeploySections(errors).deploy(root, header);
          case ROLLBACK -> new DeploySections(errors).rollback(root, header);
          case ROLLOUT -> new RolloutSections(errors).rollout(root, header);
          case MIGRATE_DATA -> new MigrateSections(errors, this).migrate(root, header);
          case CUTOVER -> new CutoverSections(errors, this).cutover(root, header);
          case ROLLBACK_CUTOVER -> new CutoverSections(errors, this).rollbackCutover(root, header);
          case CUTOVER_WATCH, MYSQL_RETENTION -> () -> null;
        };
    root.finish();
    return errors.isEmpty() ? build.get() : null;
  }

  private RunbookKind kind(Fields root) {
    String id = root.requiredText("kind");
    if (id == null) {
      return null;
    }
    try {
      RunbookKind kind = RunbookKind.fromId(id);
      if (!kind.fromFile()) {
        root.error("kind", "a " + id + " is started by a successful cutover, never from a file; expected one of " + RunbookKind.ids());
        return null;
      }
      return kind;
    } catch (IllegalArgumentException e) {
      root.error("kind", e.getMessage());
      return null;
    }
  }

  private String name(Fields root, RunbookKind kind) {
    String name = matching(root, "name", root.requiredText("name"), DNS_LABEL, DNS_RULE);
    int max = MAX_NAME - TEST_RESTORE_SUFFIX.length();
    if (name != null && kind == RunbookKind.RESTORE_TEST && name.length() > max) {
      root.error(
          "name",
          "must be at most " + max + " characters for a restore-test, whose backup and restore are named <name>"
              + TEST_BACKUP_SUFFIX + " and <name>" + TEST_RESTORE_SUFFIX + " (got " + name.length() + ")");
      return null;
    }
    return name;
  }

  private RunbookHeader header(Fields root, RunbookKind kind, String name, String environment) {
    int before = errors.size();
    String description = root.text("description", "");
    List<String> approvers = approvers(root);
    ApprovalPolicy approval = approval(root, kind, environment, approvers);
    String webhook = webhook(root);
    if (errors.size() != before || kind == null || name == null || environment == null) {
      return null;
    }
    return new RunbookHeader(kind, name, environment, description, approval, webhook);
  }

  private List<String> approvers(Fields root) {
    List<String> approvers = root.textList("approvers");
    if (approvers == null) {
      return null;
    }
    Set<String> seen = new HashSet<>();
    boolean ok = true;
    for (int i = 0; i < approvers.size(); i++) {
      String approver = approvers.get(i);
      String problem =
          !APPROVER.matcher(approver).matches()
              ? "must be a user name without spaces or commas (got \"" + approver + "\")"
              : !seen.add(approver) ? "\"" + approver + "\" is listed twice" : null;
      if (problem != null) {
        errors.add(new FieldError(root.pathOf("approvers") + "[" + i + "]", problem));
        ok = false;
      }
    }
    return ok ? approvers : null;
  }

  private ApprovalPolicy approval(
      Fields root, RunbookKind kind, String environment, List<String> approvers) {
    Fields f = root.object("approval");
    if (f == null) {
      return null;
    }
    int before = errors.size();
    Boolean required = f.bool("required", alwaysGated(kind) || kind == RunbookKind.RESTORE);
    Boolean allowSelf = f.bool("allowSelfApproval", false);
    Duration timeout = f.positiveDuration("timeout", ApprovalPolicy.DEFAULT_TIMEOUT);
    f.finish();
    String gated = productionChange(kind, environment);
    if (gated != null && Boolean.FALSE.equals(required)) {
      f.error(
          "required",
          gated + " always waits for an approval: set approval.required: true"
              + (alwaysGated(kind) || kind == RunbookKind.RESTORE ? " (the default for " + kind.id() + ")" : "")
              + " and list at least one approver");
    }
    if (approvers != null && approvers.isEmpty() && (gated != null || Boolean.TRUE.equals(required))) {
      root.error(
          "approvers",
          gated != null
              ? gated + " needs at least one approver, e.g. approvers: [alice]"
              : "approval.required is true, so at least one approver is needed, e.g. approvers: [alice]");
    }
    return errors.size() == before && approvers != null
        ? new ApprovalPolicy(required, approvers, allowSelf, timeout)
        : null;
  }

  /** Kinds that wait for a person's GO in every environment. */
  private static boolean alwaysGated(RunbookKind kind) {
    return kind == RunbookKind.ROLLBACK || kind == RunbookKind.CUTOVER || kind == RunbookKind.ROLLBACK_CUTOVER;
  }

  /**
   * How messages name a run that always waits for a person's GO (a restore, a deploy or a traffic
   * shift in production, any rollback), or null for any other run.
   */
  private static String productionChange(RunbookKind kind, String environment) {
    if (kind == RunbookKind.ROLLBACK) {
      return "a rollback, which marks a release bad on every host,";
    }
    if (kind == RunbookKind.CUTOVER) {
      return "a cutover, which makes MySQL read-only and moves the application to PostgreSQL,";
    }
    if (kind == RunbookKind.ROLLBACK_CUTOVER) {
      return "a rollback of a cutover, which moves the application back to MySQL,";
    }
    if (kind == null || environment == null || !RunbookHeader.isProduction(environment)) {
      return null;
    }
    return switch (kind) {
      case RESTORE -> "a restore into production";
      case DEPLOY -> "a deploy to production";
      case ROLLOUT -> "a traffic shift in production";
      default -> null;
    };
  }

  private String webhook(Fields root) {
    Fields f = root.object("notify");
    if (f == null) {
      return null;
    }
    String webhook = f.quietText("webhook", "");
    f.finish();
    if (webhook == null || webhook.isEmpty() || SecretRef.isReference(webhook) || isWebhookUrl(webhook)) {
      return webhook;
    }
    f.error(
        "webhook",
        "must be an https:// URL or a secret reference like ${env:SLACK_WEBHOOK}"
            + " (http:// only to 127.0.0.1 or localhost, for tests)");
    return null;
  }

  private static boolean isWebhookUrl(String text) {
    URI uri = uri(text);
    return uri != null
        && ("https".equals(uri.getScheme())
            || "http".equals(uri.getScheme()) && LOOPBACK.contains(uri.getHost()));
  }

  /** The URI when the text is one with a host, else null. */
  static URI uri(String text) {
    try {
      URI uri = new URI(text);
      return uri.getHost() == null ? null : uri;
    } catch (URISyntaxException e) {
      return null;
    }
  }

  private Supplier<RunbookDefinition> backup(Fields root, RunbookHeader header) {
    PostgresConnection database = database(root);
    StorageLocation storage = storage(root);
    BackupOptions options = backupOptions(root);
    RetentionPolicy retention = retention(root);
    return () -> new BackupSpec(header, database, storage, options, retention);
  }

  private Supplier<RunbookDefinition> restore(Fields root, RunbookHeader header, String environment) {
    StorageLocation storage = storage(root);
    Source source = source(root, storage);
    Target target = target(root, true, true);
    SmokeSpec smoke = smoke(root);
    if (target != null && environment != null && RunbookHeader.isProduction(environment) && !target.unlockProduction()) {
      errors.add(
          new FieldError(
              root.pathOf("target") + ".unlockProduction",
              "environment \"" + environment + "\" is production: a restore replaces a production"
                  + " database only with target.unlockProduction: true and an approval"
                  + " (approval.required: true with at least one approver)"));
    }
    return () ->
        new RestoreSpec(
            header,
            storage,
            source.runbook(),
            source.backup(),
            target.connection(),
            target.unlockProduction(),
            target.keepPrevious(),
            smoke);
  }

  private Supplier<RunbookDefinition> restoreTest(Fields root, RunbookHeader header, String environment) {
    if (environment != null && RunbookHeader.isProduction(environment)) {
      root.error(
          "environment",
          "a restore test replaces its target database, so it never runs in production (got "
              + root.shown("environment") + "); use a staging or test environment");
    }
    PostgresConnection database = database(root);
    StorageLocation storage = storage(root);
    BackupOptions options = backupOptions(root);
    RetentionPolicy retention = retention(root);
    Boolean takeBackup = root.bool("takeBackup", true);
    Target target = target(root, false, false);
    SmokeSpec smoke = smoke(root);
    if (database != null && target != null && sameDatabase(database, target.connection())) {
      errors.add(
          new FieldError(
              root.pathOf("target") + ".url",
              "is the database this runbook backs up (database.url); a restore test must restore"
                  + " into another database, e.g. " + database.database() + "_restored"));
    }
    // The backup never waits for a person; the restore asks for GO only when the restore-test
    // requires approval (its default is not to), once the backup's checksum has been verified.
    return () -> {
      String name = header.name();
      BackupSpec backup =
          new BackupSpec(
              header.as(RunbookKind.BACKUP, name + TEST_BACKUP_SUFFIX).withApproval(ApprovalPolicy.unattended()),
              database,
              storage,
              options,
              retention);
      RestoreSpec restore =
          new RestoreSpec(
              header.as(RunbookKind.RESTORE, name + TEST_RESTORE_SUFFIX),
              storage,
              backup.header().name(),
              RestoreSpec.LATEST,
              target.connection(),
              false,
              target.keepPrevious(),
              smoke);
      return new RestoreTestSpec(header, takeBackup, backup, restore);
    };
  }

  private static boolean sameDatabase(PostgresConnection a, PostgresConnection b) {
    return a.host().equalsIgnoreCase(b.host()) && a.port() == b.port() && a.database().equals(b.database());
  }

  private PostgresConnection database(Fields root) {
    Fields f = root.requiredObject("database");
    if (f == null) {
      return null;
    }
    PostgresConnection connection = connection(f);
    f.finish();
    return connection;
  }

  /** url, user and password of a mapping that may hold more fields. */
  PostgresConnection connection(Fields f) {
    int before = errors.size();
    String url = jdbcUrl(f);
    String user = f.requiredText("user");
    SecretRef password = f.secret("password", "PGPASSWORD", "/run/secrets/pg");
    return errors.size() == before ? new PostgresConnection(url, user, password) : null;
  }

  private String jdbcUrl(Fields f) {
    String url = f.requiredText("url");
    if (url == null) {
      return null;
    }
    if (url.toLowerCase(Locale.ROOT).contains("password=")) {
      f.error("url", "must not carry a password: give it in " + f.pathOf("password") + " as a secret reference");
      return null;
    }
    String problem = PostgresConnection.problemWith(url);
    if (problem != null) {
      f.error("url", problem + " (got " + f.shown("url") + ")");
      return null;
    }
    return url;
  }

  StorageLocation storage(Fields root) {
    Fields f = root.requiredObject("storage");
    if (f == null) {
      return null;
    }
    int before = errors.size();
    String endpoint = f.text("endpoint", "");
    if (endpoint != null && !endpoint.isEmpty() && !isEndpoint(endpoint)) {
      f.error(
          "endpoint",
          "must be an http:// or https:// URL like http://127.0.0.1:18080, or left out for AWS S3 (got "
              + f.shown("endpoint") + ")");
    }
    String region = matching(f, "region", f.text("region", DEFAULT_REGION), REGION,
        "must be a region name like us-east-1");
    String bucket = matching(f, "bucket", f.requiredText("bucket"), BUCKET,
        "must be an S3 bucket name: 3 to 63 lowercase letters, digits, '.' or '-'");
    String prefix = matching(f, "prefix", f.text("prefix", ""), PREFIX,
        "must be a key prefix like postgres or team/postgres, without a leading, trailing or double '/'");
    SecretRef accessKeyId = f.secret("accessKeyId", "AWS_ACCESS_KEY_ID", "/run/secrets/s3-access-key");
    SecretRef secretAccessKey =
        f.secret("secretAccessKey", "AWS_SECRET_ACCESS_KEY", "/run/secrets/s3-secret-key");
    String storageClass = storageClass(f);
    Boolean pathStyle = f.bool("pathStyle", endpoint != null && !endpoint.isEmpty());
    f.finish();
    return errors.size() == before
        ? new StorageLocation(
            endpoint, region, bucket, prefix, accessKeyId, secretAccessKey, storageClass, pathStyle)
        : null;
  }

  private static boolean isEndpoint(String text) {
    URI uri = uri(text);
    return uri != null && ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()));
  }

  private String storageClass(Fields f) {
    String storageClass = f.text("storageClass", "STANDARD");
    if (storageClass == null || STORAGE_CLASSES.contains(storageClass)) {
      return storageClass;
    }
    f.error(
        "storageClass",
        ARCHIVE_CLASSES.contains(storageClass)
            ? storageClass + " objects cannot be read until they are restored from the archive, so a"
                + " backup could be neither verified nor restored; use GLACIER_IR or STANDARD_IA"
            : "expected one of " + String.join(", ", STORAGE_CLASSES) + ", got " + f.shown("storageClass"));
    return null;
  }

  private BackupOptions backupOptions(Fields root) {
    Fields f = root.object("backup");
    if (f == null) {
      return null;
    }
    BackupOptions options = backupOptionFields(f);
    f.finish();
    return options;
  }

  /** compression, level, verify and partSize of a mapping that may hold more fields. */
  BackupOptions backupOptionFields(Fields f) {
    int before = errors.size();
    String compressionName = f.choice("compression", "zstd", List.of("zstd", "gzip"));
    Compression compression =
        compressionName == null ? null : Compression.valueOf(compressionName.toUpperCase(Locale.ROOT));
    Integer level =
        compression == null
            ? f.integer("level", 1, 1, Integer.MAX_VALUE)
            : f.integer("level", compression.defaultLevel(), compression.minLevel(), compression.maxLevel());
    String verify = f.choice("verify", "read-back", List.of("read-back", "size"));
    Long partSize = f.size("partSize", BackupOptions.DEFAULT_PART_SIZE);
    if (partSize != null && partSize < BackupOptions.MIN_PART_SIZE) {
      f.error("partSize", "must be at least 5MiB, the smallest part S3 accepts (got " + f.shown("partSize") + ")");
    } else if (partSize != null && partSize > MAX_PART_SIZE) {
      f.error("partSize", "must be at most 5GiB, the largest part S3 accepts (got " + f.shown("partSize") + ")");
    }
    return errors.size() == before
        ? new BackupOptions(compression, level, "read-back".equals(verify), partSize)
        : null;
  }

  RetentionPolicy retention(Fields root) {
    Fields f = root.object("retention");
    if (f == null) {
      return null;
    }
    Integer daily = f.integer("daily", DEFAULT_RETENTION.daily(), 0, Integer.MAX_VALUE);
    Integer weekly = f.integer("weekly", DEFAULT_RETENTION.weekly(), 0, Integer.MAX_VALUE);
    f.finish();
    return daily == null || weekly == null ? null : new RetentionPolicy(daily, weekly);
  }

  private record Source(String runbook, String backup) {}

  private Source source(Fields root, StorageLocation storage) {
    Fields f = root.requiredObject("source");
    if (f == null) {
      return null;
    }
    int before = errors.size();
    String runbook = matching(f, "runbook", f.requiredText("runbook"), DNS_LABEL, DNS_RULE);
    String backup = f.text("backup", RestoreSpec.LATEST);
    f.finish();
    if (backup != null && !backup.equals(RestoreSpec.LATEST) && runbook != null && storage != null) {
      String prefix = storage.key(runbook) + "/";
      if (!backup.startsWith(prefix) || backup.endsWith(BackupManifest.SUFFIX)) {
        f.error(
            "backup",
            "must be latest or the key of a backup object under " + prefix
                + " (not its " + BackupManifest.SUFFIX + "), got " + f.shown("backup"));
      }
    }
    return errors.size() == before ? new Source(runbook, backup) : null;
  }

  private record Target(PostgresConnection connection, boolean unlockProduction, boolean keepPrevious) {}

  /**
   * @param mayUnlock whether {@code unlockProduction} is a field here: a restore-test never
   *     restores into production, so for it the field is unknown
   */
  private Target target(Fields root, boolean mayUnlock, boolean keepPreviousByDefault) {
    Fields f = root.requiredObject("target");
    if (f == null) {
      return null;
    }
    int before = errors.size();
    PostgresConnection connection = connection(f);
    Boolean unlock = mayUnlock ? f.bool("unlockProduction", false) : Boolean.FALSE;
    Boolean keepPrevious = f.bool("keepPrevious", keepPreviousByDefault);
    f.finish();
    return errors.size() == before ? new Target(connection, unlock, keepPrevious) : null;
  }

  private SmokeSpec smoke(Fields root) {
    Fields f = root.object("smoke");
    if (f == null) {
      return null;
    }
    int before = errors.size();
    Integer minTables = f.integer("minTables", 1, 0, Integer.MAX_VALUE);
    List<SmokeQuery> queries = queries(f, "queries");
    f.finish();
    return errors.size() == before && minTables != null && queries != null ? new SmokeSpec(minTables, queries) : null;
  }

  /** A list of named queries with their expected answers; null after an error. */
  List<SmokeQuery> queries(Fields f, String key) {
    int before = errors.size();
    List<Fields> items = f.objectList(key);
    List<SmokeQuery> queries = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (Fields q : items == null ? List.<Fields>of() : items) {
      String name = q.requiredText("name");
      String sql = q.requiredText("sql");
      String expect = q.textOrInteger("expect", "");
      q.finish();
      if (name != null && !names.add(name)) {
        q.error("name", "\"" + name + "\" names another query too; names tell the results apart");
      }
      queries.add(new SmokeQuery(name, sql, expect));
    }
    return errors.size() == before && items != null ? queries : null;
  }

  /** The value when it matches, else null after an error stating the rule and the value. */
  static String matching(Fields f, String key, String value, Pattern pattern, String rule) {
    if (value == null || pattern.matcher(value).matches()) {
      return value;
    }
    f.error(key, rule + " (got " + f.shown(key) + ")");
    return null;
  }
}
