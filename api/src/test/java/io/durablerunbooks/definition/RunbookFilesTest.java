package io.durablerunbooks.definition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RunbookFilesTest {

  static final String BACKUP =
      """
      kind: backup
      name: orders-db-nightly
      environment: production
      description: Nightly backup
      approvers: [alice, bob]
      approval: { required: false, timeout: 2h, allowSelfApproval: true }
      notify: { webhook: "${env:SLACK_WEBHOOK}" }
      database:
        url: jdbc:postgresql://127.0.0.1:15432/orders
        user: postgres
        password: "${file:/var/tmp/durable-runbooks/pg-password}"
      storage:
        endpoint: http://127.0.0.1:18080
        region: us-east-1
        bucket: runbooks
        prefix: postgres
        accessKeyId: "${file:/var/tmp/durable-runbooks/s3-access-key}"
        secretAccessKey: "${env:S3_SECRET}"
        storageClass: STANDARD_IA
        pathStyle: true
      backup: { compression: gzip, level: 9, verify: size, partSize: 64MiB }
      retention: { daily: 3, weekly: 2 }
      """;

  static final String MINIMAL_BACKUP =
      """
      kind: backup
      name: orders
      environment: staging
      database:
        url: jdbc:postgresql://db/orders
        user: backup
        password: "${env:PGPASSWORD}"
      storage:
        bucket: runbooks
        accessKeyId: "${env:AWS_ACCESS_KEY_ID}"
        secretAccessKey: "${env:AWS_SECRET_ACCESS_KEY}"
      """;

  static final String RESTORE =
      """
      kind: restore
      name: orders-restore
      environment: staging
      approvers: [alice]
      storage:
        endpoint: http://127.0.0.1:18080
        bucket: runbooks
        prefix: postgres
        accessKeyId: "${env:S3_KEY}"
        secretAccessKey: "${env:S3_SECRET}"
      source: { runbook: orders-db-nightly, backup: latest }
      target:
        url: jdbc:postgresql://127.0.0.1:15432/orders_staging
        user: postgres
        password: "${env:PGPASSWORD}"
      smoke:
        minTables: 3
        queries:
          - { name: customers, sql: "select count(*) > 0 from customers", expect: "t" }
          - { name: order count, sql: "select count(*) from orders", expect: 42 }
          - { name: any row, sql: "select 1" }
      """;

  static final String RESTORE_TEST =
      """
      kind: restore-test
      name: orders-restore-test
      environment: staging
      database:
        url: jdbc:postgresql://127.0.0.1:15432/orders
        user: postgres
        password: "${env:PGPASSWORD}"
      storage:
        endpoint: http://127.0.0.1:18080
        bucket: runbooks
        accessKeyId: "${env:S3_KEY}"
        secretAccessKey: "${env:S3_SECRET}"
      retention: { daily: 2, weekly: 0 }
      target:
        url: jdbc:postgresql://127.0.0.1:15432/orders_restored
        user: postgres
        password: "${env:PGPASSWORD}"
      smoke: { minTables: 2 }
      """;

  static RunbookDefinition parse(String yaml, Map<String, String> overrides) {
    return RunbookFiles.parse(yaml, "test.yaml", overrides);
  }

  static RunbookDefinition parse(String yaml) {
    return parse(yaml, Map.of());
  }

  static List<FieldError> errors(String yaml, Map<String, String> overrides) {
    return catchThrowableOfType(InvalidRunbookException.class, () -> parse(yaml, overrides)).errors();
  }

  static List<FieldError> errors(String yaml) {
    return errors(yaml, Map.of());
  }

  /** The only error is at {@code path}, and its message holds {@code phrase}. */
  static void assertOnlyError(List<FieldError> errors, String path, String phrase) {
    assertThat(errors).hasSize(1);
    assertThat(errors.get(0).path()).isEqualTo(path);
    assertThat(errors.get(0).message()).contains(phrase);
  }

  static void assertHasError(List<FieldError> errors, String path, String phrase) {
    assertThat(errors)
        .anySatisfy(
            e -> {
              assertThat(e.path()).isEqualTo(path);
              assertThat(e.message()).contains(phrase);
            });
  }

  @Nested
  class ValidFiles {

    @Test
    void backupFileBecomesABackupSpecWithEveryFieldItSays() {
      RunbookDefinition definition = parse(BACKUP);

      assertThat(definition)
          .isEqualTo(
              new BackupSpec(
                  new RunbookHeader(
                      RunbookKind.BACKUP,
                      "orders-db-nightly",
                      "production",
                      "Nightly backup",
                      new ApprovalPolicy(false, List.of("alice", "bob"), true, Duration.ofHours(2)),
                      "${env:SLACK_WEBHOOK}"),
                  new PostgresConnection(
                      "jdbc:postgresql://127.0.0.1:15432/orders",
                      "postgres",
                      SecretRef.of("${file:/var/tmp/durable-runbooks/pg-password}")),
                  new StorageLocation(
                      "http://127.0.0.1:18080",
                      "us-east-1",
                      "runbooks",
                      "postgres",
                      SecretRef.of("${file:/var/tmp/durable-runbooks/s3-access-key}"),
                      SecretRef.of("${env:S3_SECRET}"),
                      "STANDARD_IA",
                      true),
                  new BackupOptions(Compression.GZIP, 9, false, 64L * 1024 * 1024),
                  new RetentionPolicy(3, 2)));
    }

    @Test
    void leftOutFieldsTakeTheDocumentedDefaults() {
      BackupSpec spec = (BackupSpec) parse(MINIMAL_BACKUP);

      assertThat(spec.header().description()).isEmpty();
      assertThat(spec.header().webhook()).isEmpty();
      assertThat(spec.header().approval())
          .isEqualTo(new ApprovalPolicy(false, List.of(), false, ApprovalPolicy.DEFAULT_TIMEOUT));
      assertThat(spec.storage().endpoint()).isEmpty();
      assertThat(spec.storage().region()).isEqualTo("us-east-1");
      assertThat(spec.storage().prefix()).isEmpty();
      assertThat(spec.storage().storageClass()).isEqualTo("STANDARD");
      assertThat(spec.storage().pathStyle()).isFalse();
      assertThat(spec.options())
          .isEqualTo(new BackupOptions(Compression.ZSTD, 3, true, BackupOptions.DEFAULT_PART_SIZE));
      assertThat(spec.retention()).isEqualTo(new RetentionPolicy(7, 4));
    }

    @Test
    void anEndpointOverrideDefaultsToPathStyleAccess() {
      BackupSpec spec =
          (BackupSpec) parse(MINIMAL_BACKUP, Map.of("storage.endpoint", "http://127.0.0.1:18080"));

      assertThat(spec.storage().pathStyle()).isTrue();
    }

    @Test
    void gzipDefaultsToItsOwnLevel() {
      BackupSpec spec = (BackupSpec) parse(MINIMAL_BACKUP, Map.of("backup.compression", "gzip"));

      assertThat(spec.options().level()).isEqualTo(6);
    }

    @Test
    void sizesAndDurationsAcceptEveryDocumentedForm() {
      BackupSpec spec =
          (BackupSpec)
              parse(MINIMAL_BACKUP, Map.of("backup.partSize", "8388608", "approval.timeout", "PT30M"));

      assertThat(spec.options().partSizeBytes()).isEqualTo(8L * 1024 * 1024);
      assertThat(spec.header().approval().timeout()).isEqualTo(Duration.ofMinutes(30));
    }

    @Test
    void restoreFileBecomesARestoreSpecThatWaitsForApprovalByDefault() {
      RestoreSpec spec = (RestoreSpec) parse(RESTORE);

      assertThat(spec.header().kind()).isEqualTo(RunbookKind.RESTORE);
      assertThat(spec.header().approval())
          .isEqualTo(new ApprovalPolicy(true, List.of("alice"), false, ApprovalPolicy.DEFAULT_TIMEOUT));
      assertThat(spec.backupRunbook()).isEqualTo("orders-db-nightly");
      assertThat(spec.backupKey()).isEqualTo(RestoreSpec.LATEST);
      assertThat(spec.backupsPrefix()).isEqualTo("postgres/orders-db-nightly/");
      assertThat(spec.target().database()).isEqualTo("orders_staging");
      assertThat(spec.unlockProduction()).isFalse();
      assertThat(spec.keepPrevious()).isTrue();
      assertThat(spec.smoke())
          .isEqualTo(
              new SmokeSpec(
                  3,
                  List.of(
                      new SmokeQuery("customers", "select count(*) > 0 from customers", "t"),
                      new SmokeQuery("order count", "select count(*) from orders", "42"),
                      new SmokeQuery("any row", "select 1", ""))));
    }

    @Test
    void restoreOfANamedBackupKeepsItsKey() {
      String key = "postgres/orders-db-nightly/2026/11/21/orders-db-nightly-20261121T030000Z-abc.dump.zst";

      RestoreSpec spec = (RestoreSpec) parse(RESTORE, Map.of("source.backup", key));

      assertThat(spec.backupKey()).isEqualTo(key);
    }

    @Test
    void productionRestoreLoadsWhenUnlockedAndApproved() {
      RestoreSpec spec =
          (RestoreSpec)
              parse(RESTORE, Map.of("environment", "production", "target.unlockProduction", "true"));

      assertThat(spec.header().production()).isTrue();
      assertThat(spec.unlockProduction()).isTrue();
      assertThat(spec.header().approval().required()).isTrue();
    }

    @Test
    void restoreTestBuildsItsBackupAndRestoreUnderDerivedNames() {
      RestoreTestSpec spec = (RestoreTestSpec) parse(RESTORE_TEST);

      assertThat(spec.header().kind()).isEqualTo(RunbookKind.RESTORE_TEST);
      assertThat(spec.header().name()).isEqualTo("orders-restore-test");
      assertThat(spec.takeBackup()).isTrue();

      BackupSpec backup = spec.backup();
      assertThat(backup.header().kind()).isEqualTo(RunbookKind.BACKUP);
      assertThat(backup.header().name()).isEqualTo("orders-restore-test-backup");
      assertThat(backup.header().environment()).isEqualTo("staging");
      assertThat(backup.header().approval().required()).isFalse();
      assertThat(backup.database().database()).isEqualTo("orders");
      assertThat(backup.retention()).isEqualTo(new RetentionPolicy(2, 0));
      assertThat(backup.options())
          .isEqualTo(new BackupOptions(Compression.ZSTD, 3, true, BackupOptions.DEFAULT_PART_SIZE));

      RestoreSpec restore = spec.restore();
      assertThat(restore.header().kind()).isEqualTo(RunbookKind.RESTORE);
      assertThat(restore.header().name()).isEqualTo("orders-restore-test-restore");
      assertThat(restore.header().approval().required()).isFalse();
      assertThat(restore.backupRunbook()).isEqualTo("orders-restore-test-backup");
      assertThat(restore.backupsPrefix()).isEqualTo(backup.backupsPrefix());
      assertThat(restore.backupKey()).isEqualTo(RestoreSpec.LATEST);
      assertThat(restore.storage()).isEqualTo(backup.storage());
      assertThat(restore.target().database()).isEqualTo("orders_restored");
      assertThat(restore.unlockProduction()).isFalse();
      assertThat(restore.keepPrevious()).isFalse();
      assertThat(restore.smoke()).isEqualTo(new SmokeSpec(2, List.of()));
    }

    @Test
    void aRestoreTestThatRequiresApprovalAsksForItBeforeItsRestoreOnly() {
      RestoreTestSpec spec =
          (RestoreTestSpec) parse(RESTORE_TEST, Map.of("approvers", "alice", "approval.required", "true"));

      assertThat(spec.backup().header().approval()).isEqualTo(ApprovalPolicy.unattended());
      assertThat(spec.restore().header().approval())
          .isEqualTo(new ApprovalPolicy(true, List.of("alice"), false, ApprovalPolicy.DEFAULT_TIMEOUT));
    }

    @Test
    void restoreTestCanRestoreTheNewestBackupWithoutTakingOne() {
      RestoreTestSpec spec = (RestoreTestSpec) parse(RESTORE_TEST, Map.of("takeBackup", "false"));

      assertThat(spec.takeBackup()).isFalse();
    }

    @Test
    void loadReadsAFileAndNamesItInErrors(@TempDir Path dir) throws Exception {
      Path file = dir.resolve("nightly.yaml");
      Files.writeString(file, BACKUP);

      assertThat(RunbookFiles.load(file, Map.of())).isEqualTo(parse(BACKUP));

      Files.writeString(file, BACKUP.replace("bucket: runbooks", "bucket: Runbooks"));
      assertThatThrownBy(() -> RunbookFiles.load(file, Map.of()))
          .isInstanceOf(InvalidRunbookException.class)
          .hasMessageStartingWith(file + ":\n  storage.bucket: ");
    }

    @Test
    void loadOfAMissingFileIsAnInvalidRunbook(@TempDir Path dir) {
      Path missing = dir.resolve("nope.yaml");

      InvalidRunbookException e =
          catchThrowableOfType(InvalidRunbookException.class, () -> RunbookFiles.load(missing, Map.of()));

      assertThat(e.source()).isEqualTo(missing.toString());
      assertOnlyError(e.errors(), "", "no such file");
    }
  }

  @Nested
  class Messages {

    @Test
    void messageIsTheSourceThenOneIndentedLinePerError() {
      InvalidRunbookException e =
          catchThrowableOfType(
              InvalidRunbookException.class,
              () ->
                  parse(
                      BACKUP,
                      Map.of("database.url", "mysql://x", "retention.daily", "seven")));

      assertThat(e.getMessage())
          .isEqualTo(
              "test.yaml:\n"
                  + "  database.url: must start with jdbc:postgresql:// (got \"mysql://x\")\n"
                  + "  retention.daily: expected an integer >= 0, got \"seven\"");
    }

    @Test
    void everyErrorOfTheFileIsReportedInOnePass() {
      String yaml =
          BACKUP
              .replace("name: orders-db-nightly", "name: Orders DB")
              .replace("jdbc:postgresql://127.0.0.1:15432/orders", "mysql://127.0.0.1/orders")
              .replace("  bucket: runbooks\n", "")
              .replace("daily: 3", "daily: seven")
              .replace("level: 9", "level: 12")
              .replace("storageClass: STANDARD_IA", "storageClass: ARCHIVE")
              .replace("user: postgres", "user: postgres\n  pasword: x");

      assertThat(errors(yaml))
          .extracting(FieldError::path)
          .containsExactly(
              "name",
              "database.url",
              "database.pasword",
              "storage.bucket",
              "storage.storageClass",
              "backup.level",
              "retention.daily");
    }

    @Test
    void kindMustBeKnown() {
      List<FieldError> errors = errors(MINIMAL_BACKUP.replace("kind: backup", "kind: bakup"));

      assertOnlyError(errors, "kind", "unknown kind 'bakup', expected one of backup, restore, restore-test");
    }

    @Test
    void kindIsRequired() {
      assertOnlyError(errors(MINIMAL_BACKUP.replace("kind: backup\n", "")), "kind", "required");
    }

    @Test
    void aFileOfUnknownKindIsNotAlsoBuriedInUnknownFieldErrors() {
      List<FieldError> errors = errors(RESTORE.replace("kind: restore", "kind: restores"));

      assertThat(errors).extracting(FieldError::path).containsExactly("kind");
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "Orders",
          "orders_db",
          "orders.db",
          "-orders",
          "orders-",
          "orders db",
          "abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefghi"
        })
    void nameMustBeADnsLabel(String name) {
      List<FieldError> errors = errors(MINIMAL_BACKUP, Map.of("name", name));

      assertOnlyError(errors, "name", "because workflow ids and S3 keys derive from it");
      assertThat(errors.get(0).message()).contains("(got \"" + name + "\")");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "orders-db-2", "0rders", "abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefgh"})
    void dnsLabelsUpTo63CharactersAreNames(String name) {
      assertThat(parse(MINIMAL_BACKUP, Map.of("name", name)).header().name()).isEqualTo(name);
    }

    @Test
    void nameIsRequired() {
      assertOnlyError(errors(MINIMAL_BACKUP.replace("name: orders\n", "")), "name", "required");
    }

    @Test
    void environmentIsOneWord() {
      assertOnlyError(
          errors(MINIMAL_BACKUP, Map.of("environment", "prod east")),
          "environment",
          "must be one word of letters, digits, '-' or '_', e.g. production or staging (got \"prod east\")");
    }

    @Test
    void environmentIsRequired() {
      assertOnlyError(errors(MINIMAL_BACKUP.replace("environment: staging\n", "")), "environment", "required");
    }

    @Test
    void unknownFieldsAreErrorsWithASuggestion() {
      String yaml = MINIMAL_BACKUP.replace("password:", "pasword:");

      List<FieldError> errors = errors(yaml);

      assertHasError(errors, "database.pasword", "unknown field (did you mean \"password\"?)");
      assertHasError(errors, "database.password", "required");
    }

    @Test
    void unknownFieldsIgnoreCaseWhenSuggesting() {
      assertOnlyError(
          errors(MINIMAL_BACKUP, Map.of("storage.storageclass", "STANDARD")),
          "storage.storageclass",
          "did you mean \"storageClass\"?");
    }

    @Test
    void unknownFieldWithNothingCloseListsTheKnownOnes() {
      assertOnlyError(
          errors(MINIMAL_BACKUP + "schedule: daily\n"),
          "schedule",
          "unknown field (expected one of kind, name, environment, description, approvers, approval, notify,"
              + " database, storage, backup, retention)");
    }

    @Test
    void anotherKindsFieldIsUnknown() {
      assertOnlyError(errors(MINIMAL_BACKUP + "takeBackup: true\n"), "takeBackup", "unknown field");
    }

    @Test
    void unknownFieldsNeverEchoTheirValue() {
      InvalidRunbookException e =
          catchThrowableOfType(
              InvalidRunbookException.class,
              () -> parse(MINIMAL_BACKUP.replace("user: backup", "user: backup\n  pasword: Tr0ub4dor&3")));

      assertThat(e.getMessage()).doesNotContain("Tr0ub4dor&3");
    }

    @Test
    void malformedYamlReportsLineAndColumn() {
      String yaml = "kind: backup\nname: orders\n  environment: staging\n";

      assertOnlyError(errors(yaml), "", "malformed YAML at line 3, column 14");
    }

    @Test
    void aDuplicateFieldIsMalformed() {
      String yaml = MINIMAL_BACKUP + "name: again\n";

      assertOnlyError(errors(yaml), "", "Duplicate field 'name'");
      assertThat(errors(yaml).get(0).message()).startsWith("malformed YAML at line 12, ");
    }

    @Test
    void anEmptyFileSaysSo() {
      assertOnlyError(errors("# nothing yet\n"), "", "the file is empty");
    }

    @Test
    void aFileMustBeAMapping() {
      assertOnlyError(errors("- kind: backup\n"), "", "expected a mapping of fields starting with kind: and name:, got a list");
    }

    @Test
    void oneRunbookPerFile() {
      assertOnlyError(errors(MINIMAL_BACKUP + "---\n" + RESTORE), "", "more than one YAML document");
    }
  }

  @Nested
  class Secrets {

    static final String LITERAL = "s3cr3t-Hunter2";

    @ParameterizedTest
    @CsvSource({
      "database.password, PGPASSWORD",
      "storage.accessKeyId, AWS_ACCESS_KEY_ID",
      "storage.secretAccessKey, AWS_SECRET_ACCESS_KEY"
    })
    void aLiteralSecretIsRefusedWithoutRepeatingIt(String field, String envExample) {
      InvalidRunbookException e =
          catchThrowableOfType(InvalidRunbookException.class, () -> parse(MINIMAL_BACKUP, Map.of(field, LITERAL)));

      assertOnlyError(e.errors(), field, "must be a secret reference like ${env:" + envExample + "}");
      assertThat(e.errors().get(0).message()).endsWith("; a literal value would be stored in the workflow history");
      assertThat(e.getMessage()).doesNotContain(LITERAL);
    }

    @Test
    void theDatabasePasswordMessageIsExactlyAsDocumented() {
      assertOnlyError(
          errors(MINIMAL_BACKUP, Map.of("database.password", LITERAL)),
          "database.password",
          "must be a secret reference like ${env:PGPASSWORD} or ${file:/run/secrets/pg}; a literal value"
              + " would be stored in the workflow history");
    }

    @Test
    void theRestoreTargetPasswordIsASecretToo() {
      InvalidRunbookException e =
          catchThrowableOfType(
              InvalidRunbookException.class, () -> parse(RESTORE, Map.of("target.password", LITERAL)));

      assertOnlyError(e.errors(), "target.password", "must be a secret reference");
      assertThat(e.getMessage()).doesNotContain(LITERAL);
    }

    @Test
    void aNumericLiteralPasswordIsRefusedWithoutRepeatingIt() {
      InvalidRunbookException e =
          catchThrowableOfType(
              InvalidRunbookException.class,
              () -> parse(MINIMAL_BACKUP.replace("\"${env:PGPASSWORD}\"", "8675309")));

      assertOnlyError(e.errors(), "database.password", "must be a secret reference");
      assertThat(e.getMessage()).doesNotContain("8675309");
    }

    @Test
    void aMissingSecretSaysWhatAReferenceLooksLike() {
      assertOnlyError(
          errors(MINIMAL_BACKUP.replace("  password: \"${env:PGPASSWORD}\"\n", "")),
          "database.password",
          "required: a secret reference like ${env:PGPASSWORD}");
    }

    @Test
    void aFileReferenceMustBeAbsoluteAndMayBeQuoted() {
      assertOnlyError(
          errors(MINIMAL_BACKUP, Map.of("database.password", "${file:secrets/pg}")),
          "database.password",
          "must name an absolute path, like ${file:/run/secrets/pg} (got \"${file:secrets/pg}\")");
    }

    @Test
    void aPasswordInTheJdbcUrlIsRefusedWithoutRepeatingIt() {
      InvalidRunbookException e =
          catchThrowableOfType(
              InvalidRunbookException.class,
              () -> parse(MINIMAL_BACKUP, Map.of("database.url", "jdbc:postgresql://db/orders?password=" + LITERAL)));

      assertOnlyError(e.errors(), "database.url", "must not carry a password: give it in database.password");
      assertThat(e.getMessage()).doesNotContain(LITERAL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"${env:SLACK_WEBHOOK}", "https://hooks.slack.com/services/T0/B0/x", "http://127.0.0.1:9999/hook"})
    void aWebhookIsAnHttpsUrlOrASecretReference(String webhook) {
      assertThat(parse(MINIMAL_BACKUP, Map.of("notify.webhook", webhook)).header().webhook()).isEqualTo(webhook);
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://hooks.slack.com/services/T0/B0/tok3n", "hooks.slack.com/tok3n", "tok3n"})
    void anyOtherWebhookIsRefusedWithoutRepeatingIt(String webhook) {
      InvalidRunbookException e =
          catchThrowableOfType(
              InvalidRunbookException.class, () -> parse(MINIMAL_BACKUP, Map.of("notify.webhook", webhook)));

      assertOnlyError(e.errors(), "notify.webhook", "must be an https:// URL or a secret reference like ${env:SLACK_WEBHOOK}");
      assertThat(e.getMessage()).doesNotContain("tok3n");
    }
  }

  @Nested
  class Rules {

    @Test
    void theDatabaseUrlMustBeAPostgresJdbcUrl() {
      assertOnlyError(
          errors(MINIMAL_BACKUP, Map.of("database.url", "mysql://x")),
          "database.url",
          "must start with jdbc:postgresql:// (got \"mysql://x\")");
      assertOnlyError(
          errors(MINIMAL_BACKUP, Map.of("database.url", "jdbc:postgresql://a,b/orders")),
          "database.url",
          "must look like jdbc:postgresql://host:port/database");
    }

    @Test
    void retentionCountsAreIntegersNotBelowZero() {
      assertOnlyError(
          errors(MINIMAL_BACKUP, Map.of("retention.daily", "seven")),
          "retention.daily",
          "expected an integer >= 0, got \"seven\"");
      assertOnlyError(
          errors(MINIMAL_BACKUP, Map.of("retention.weekly", "-1")),
          "retention.weekly",
          "expected an integer >= 0, got -1");
      assertOnlyError(
          errors(MINIMAL_BACKUP, Map.of("retention.weekly", "1.5")),
          "retention.weekly",
          "expected an integer >= 0, got 1.5");
    }

    @Test
    void theBucketIsRequired() {
      assertOnlyError(errors(MINIMAL_BACKUP.replace("  bucket: runbooks\n", "")), "storage.bucket", "required");
    }

    @Test
    void theBucketMustBeAnS3BucketName() {
      assertOnlyError(
          errors(MINIMAL_BACKUP, Map.of("storage.bucket", "My_Bucket")),
          "storage.bucket",
          "must be an S3 bucket name");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/postgres", "postgres/", "team//postgres"})
    void thePrefixHasNoStraySlashes(String prefix) {
      assertOnlyError(errors(MINIMAL_BACKUP, Map.of("storage.prefix", prefix)), "storage.prefix", "without a leading, trailing or double '/'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"s3proxy:18080", "ftp://127.0.0.1", "127.0.0.1:18080", "http://"})
    void theEndpointIsAnHttpUrl(String endpoint) {
      assertOnlyError(
          errors(MINIMAL_BACKUP, Map.of("storage.endpoint", endpoint)),
          "storage.endpoint",
          "must be an http:// or https:// URL like http://127.0.0.1:18080, or left out for AWS S3");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "https://s3.eu-west-1.amazonaws.com", "http://minio.internal:9000"})
    void theEndpointMayBeEmptyOrAnHttpUrl(String endpoint) {
      BackupSpec spec = (BackupSpec) parse(MINIMAL_BACKUP, Map.of("storage.endpoint", endpoint));

      assertThat(spec.storage().endpoint()).isEqualTo(endpoint);
    }

    @ParameterizedTest
    @ValueSource(strings = {"STANDARD", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR", "REDUCED_REDUNDANCY"})
    void theStorageClassIsOneOfS3s(String storageClass) {
      BackupSpec spec = (BackupSpec) parse(MINIMAL_BACKUP, Map.of("storage.storageClass", storageClass));

      assertThat(spec.storage().storageClass()).isEqualTo(storageClass);
    }

    @Test
    void anUnknownStorageClassIsRefused() {
      assertOnlyError(
          errors(MINIMAL_BACKUP, Map.of("storage.storageClass", "standard_ia")),
          "storage.storageClass",
          "expected one of STANDARD, STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, GLACIER_IR, REDUCED_REDUNDANCY, got \"standard_ia\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"GLACIER", "DEEP_ARCHIVE"})
    void archiveStorageClassesAreRefusedBecauseBackupsCouldNotBeReadBack(String storageClass) {
      assertOnlyError(
          errors(MINIMAL_BACKUP, Map.of("storage.storageClass", storageClass)),
          "storage.storageClass",
          "could be neither verified nor restored");
    }

    @ParameterizedTest
    @CsvSource({"zstd, 0, 1, 19", "zstd, 20, 1, 19", "gzip, 10, 1, 9", "gzip, 0, 1, 9"})
    void theCompressionLevelIsWithinTheCompressionsRange(String compression, String level, int min, int max) {
      assertOnlyError(
          errors(MINIMAL_BACKUP, Map.of("backup.compression", compression, "backup.level", level)),
          "backup.level",
          "expected an integer between " + min + " and " + max + ", got " + level);
    }

    @Test
    void theCompressionIsZstdOrGzip() {
      assertOnlyError(
          errors(MINIMAL_BACKUP, Map.of("backup.compression", "lz4")),
          "backup.compression",
          "expected one of zstd, gzip, got \"lz4\"");
    }

    @Test
    void verifyIsReadBackOrSize() {
      assertOnlyError(
          errors(MINIMAL_BACKUP, Map.of("backup.verify", "etag")),
          "backup.verify",
          "expected one of read-back, size, got \"etag\"");
    }

    @Test
    void thePartSizeIsAtLeastFiveMebibytes() {
      assertOnlyError(
          errors(MINIMAL_BACKUP, Map.of("backup.partSize", "4MiB")),
          "backup.partSize",
          "must be at least 5MiB, the smallest part S3 accepts (got \"4MiB\")");
      assertThat(((BackupSpec) parse(MINIMAL_BACKUP, Map.of("backup.partSize", "5MiB"))).options().partSizeBytes())
          .isEqualTo(BackupOptions.MIN_PART_SIZE);
    }

    @Test
    void thePartSizeIsAtMostFiveGibibytes() {
      assertOnlyError(
          errors(MINIMAL_BACKUP, Map.of("backup.partSize", "6GiB")),
          "backup.partSize",
          "must be at most 5GiB");
    }

    @Test
    void thePartSizeIsASize() {
      assertOnlyError(
          errors(MINIMAL_BACKUP, Map.of("backup.partSize", "16 megs")),
          "backup.partSize",
          "expected a size like 16MiB, 64MB or 1048576 (units B, KB, MB, GB, TB, KiB, MiB, GiB, TiB), got \"16 megs\"");
    }

    @Test
    void theApprovalTimeoutIsAPositiveDuration() {
      assertOnlyError(
          errors(MINIMAL_BACKUP, Map.of("approval.timeout", "soon")),
          "approval.timeout",
          "expected a duration like 30s, 15m, 1h, 2d or PT1H, got \"soon\"");
      assertOnlyError(
          errors(MINIMAL_BACKUP, Map.of("approval.timeout", "0s")),
          "approval.timeout",
          "must be longer than zero");
      assertOnlyError(
          errors(MINIMAL_BACKUP, Map.of("approval.timeout", "3600")),
          "approval.timeout",
          "expected a duration like 30s, 15m, 1h, 2d or PT1H, got 3600");
    }

    @Test
    void booleansAreTrueOrFalse() {
      assertOnlyError(
          errors(MINIMAL_BACKUP, Map.of("approval.required", "yes please")),
          "approval.required",
          "expected true or false, got \"yes please\"");
    }

    @Test
    void aRequiredApprovalNeedsAnApprover() {
      assertOnlyError(
          errors(MINIMAL_BACKUP, Map.of("approval.required", "true")),
          "approvers",
          "approval.required is true, so at least one approver is needed");
    }

    @Test
    void aRestoreNeedsAnApproverUnlessApprovalIsTurnedOff() {
      String yaml = RESTORE.replace("approvers: [alice]\n", "");

      assertOnlyError(errors(yaml), "approvers", "at least one approver is needed");
      assertThat(((RestoreSpec) parse(yaml, Map.of("approval.required", "false"))).header().approval().required())
          .isFalse();
    }

    @Test
    void approversAreDistinctUserNames() {
      List<FieldError> errors = errors(MINIMAL_BACKUP + "approvers: [alice, \"bob smith\", alice, 7]\n");

      assertThat(errors)
          .extracting(FieldError::path)
          .containsExactly("approvers[3]");
      List<FieldError> words = errors(MINIMAL_BACKUP + "approvers: [alice, \"bob smith\", alice]\n");
      assertThat(words).extracting(FieldError::path).containsExactly("approvers[1]", "approvers[2]");
      assertThat(words.get(0).message()).contains("without spaces or commas");
      assertThat(words.get(1).message()).contains("\"alice\" is listed twice");
    }

    @Test
    void approversAreAList() {
      assertOnlyError(
          errors(MINIMAL_BACKUP + "approvers: alice\n"),
          "approvers",
          "expected a list like [alice, bob], got \"alice\"");
    }

    @Test
    void aSectionWrittenAsAStringIsNotRepeatedSinceItMayBeASecretUrl() {
      InvalidRunbookException e =
          catchThrowableOfType(
              InvalidRunbookException.class,
              () -> parse(MINIMAL_BACKUP + "notify: https://hooks.slack.com/services/T0/B0/tok3n\n"));

      assertOnlyError(e.errors(), "notify", "expected a mapping of fields, got a string");
      assertThat(e.getMessage()).doesNotContain("tok3n");
    }

    @Test
    void aSectionMustBeAMapping() {
      assertOnlyError(
          errors(MINIMAL_BACKUP + "retention: 7\n"),
          "retention",
          "expected a mapping of fields, got a number");
    }

    @Test
    void aRestoreIntoProductionNeedsTheUnlock() {
      List<FieldError> errors = errors(RESTORE, Map.of("environment", "production"));

      assertOnlyError(errors, "target.unlockProduction", "is production");
      assertThat(errors.get(0).message())
          .contains("target.unlockProduction: true")
          .contains("approval.required: true with at least one approver");
    }

    @Test
    void aRestoreIntoProductionCannotTurnApprovalOff() {
      List<FieldError> errors =
          errors(
              RESTORE.replace("approvers: [alice]\n", ""),
              Map.of("environment", "prod-eu", "target.unlockProduction", "true", "approval.required", "false"));

      assertThat(errors).extracting(FieldError::path).containsExactly("approval.required", "approvers");
      assertThat(errors.get(0).message()).contains("a restore into production always waits for an approval");
      assertThat(errors.get(1).message()).contains("a restore into production needs at least one approver");
    }

    @Test
    void aRestoreTestRefusesProduction() {
      assertOnlyError(
          errors(RESTORE_TEST, Map.of("environment", "production")),
          "environment",
          "a restore test replaces its target database, so it never runs in production (got \"production\")");
    }

    @Test
    void aRestoreTestHasNoUnlock() {
      assertOnlyError(
          errors(RESTORE_TEST, Map.of("target.unlockProduction", "true")),
          "target.unlockProduction",
          "unknown field");
    }

    @Test
    void aRestoreTestMustNotRestoreOverTheDatabaseItBacksUp() {
      assertOnlyError(
          errors(RESTORE_TEST, Map.of("target.url", "jdbc:postgresql://127.0.0.1:15432/orders")),
          "target.url",
          "is the database this runbook backs up (database.url)");
    }

    @Test
    void aRestoreTestNameLeavesRoomForItsDerivedNames() {
      String name = "a".repeat(56);

      assertOnlyError(
          errors(RESTORE_TEST, Map.of("name", name)),
          "name",
          "must be at most 55 characters for a restore-test");
      assertThat(parse(RESTORE_TEST, Map.of("name", "a".repeat(55))).header().name()).hasSize(55);
    }

    @Test
    void theSourceRunbookIsAName() {
      assertOnlyError(
          errors(RESTORE, Map.of("source.runbook", "Orders Nightly")),
          "source.runbook",
          "because workflow ids and S3 keys derive from it");
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "postgres/other-runbook/2026/11/21/x.dump.zst",
          "orders-db-nightly/2026/11/21/x.dump.zst",
          "postgres/orders-db-nightly/2026/11/21/x.dump.zst.manifest.json"
        })
    void aBackupKeyMustBeOneOfTheSourceRunbooksBackups(String key) {
      assertOnlyError(
          errors(RESTORE, Map.of("source.backup", key)),
          "source.backup",
          "must be latest or the key of a backup object under postgres/orders-db-nightly/");
    }

    @Test
    void smokeQueriesNeedNameAndSql() {
      String yaml = RESTORE.replace("{ name: any row, sql: \"select 1\" }", "{ name: any row }");

      assertOnlyError(errors(yaml), "smoke.queries[2].sql", "required");
    }

    @Test
    void smokeQueryNamesAreDistinct() {
      String yaml = RESTORE.replace("name: any row", "name: customers");

      assertOnlyError(errors(yaml), "smoke.queries[2].name", "\"customers\" names another query too");
    }

    @ParameterizedTest
    @ValueSource(strings = {"true", "1.50"})
    void smokeExpectationsThatYamlWouldRewriteMustBeQuoted(String expect) {
      String yaml = RESTORE.replace("expect: \"t\"", "expect: " + expect);

      assertOnlyError(errors(yaml), "smoke.queries[0].expect", "quote booleans and decimals, e.g. \"t\" or \"1.50\"");
    }

    @Test
    void smokeQueriesAreMappings() {
      String yaml = RESTORE.replace("- { name: any row, sql: \"select 1\" }", "- select 1");

      assertOnlyError(errors(yaml), "smoke.queries[2]", "expected a mapping of fields, got a string");
    }
  }

  @Nested
  class SetOverrides {

    @Test
    void anOverrideReplacesTheFilesValue() {
      BackupSpec spec =
          (BackupSpec) parse(BACKUP, Map.of("database.url", "jdbc:postgresql://10.0.0.5:5432/orders"));

      assertThat(spec.database().host()).isEqualTo("10.0.0.5");
    }

    @Test
    void anOverrideCreatesMissingSectionsAndTypesItsValue() {
      Map<String, String> sets = new LinkedHashMap<>();
      sets.put("retention.daily", "3");
      sets.put("backup.level", "5");
      sets.put("storage.pathStyle", "true");

      BackupSpec spec = (BackupSpec) parse(MINIMAL_BACKUP, sets);

      assertThat(spec.retention()).isEqualTo(new RetentionPolicy(3, 4));
      assertThat(spec.options().level()).isEqualTo(5);
      assertThat(spec.storage().pathStyle()).isTrue();
    }

    @Test
    void aListOfWordsIsCommaSeparated() {
      assertThat(parse(MINIMAL_BACKUP, Map.of("approvers", "alice, bob")).header().approval().approvers())
          .containsExactly("alice", "bob");
      assertThat(parse(BACKUP, Map.of("approvers", "carol")).header().approval().approvers())
          .containsExactly("carol");
      assertThat(parse(BACKUP, Map.of("approvers", "")).header().approval().approvers()).isEmpty();
    }

    @Test
    void anOverrideCanReachIntoAListItem() {
      RestoreSpec spec = (RestoreSpec) parse(RESTORE, Map.of("smoke.queries.1.expect", "43"));

      assertThat(spec.smoke().queries().get(1).expect()).isEqualTo("43");
    }

    @Test
    void anOverrideIsValidatedLikeTheFile() {
      assertOnlyError(
          errors(BACKUP, Map.of("database.pasword", "${env:X}")),
          "database.pasword",
          "unknown field (did you mean \"password\"?)");
    }

    @Test
    void anOverrideCannotGoInsideAValue() {
      assertOnlyError(
          errors(BACKUP, Map.of("database.url.host", "x")),
          "database.url.host",
          "--set cannot go inside database.url: it holds \"jdbc:postgresql://127.0.0.1:15432/orders\", not a mapping or a list");
    }

    @Test
    void anOverrideCannotAddListItems() {
      assertOnlyError(
          errors(RESTORE, Map.of("smoke.queries.3.sql", "select 2")),
          "smoke.queries.3.sql",
          "--set can only go inside an existing item of the list smoke.queries");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "database..url", ".name", "name."})
    void anOverrideKeyIsADottedPath(String key) {
      assertOnlyError(errors(BACKUP, Map.of(key, "x")), key, "--set needs a dotted field path");
    }
  }
}
