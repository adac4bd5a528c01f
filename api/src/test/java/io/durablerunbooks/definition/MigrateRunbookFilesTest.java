package io.durablerunbooks.definition;

import static io.durablerunbooks.definition.RunbookFilesTest.assertHasError;
import static io.durablerunbooks.definition.RunbookFilesTest.assertOnlyError;
import static io.durablerunbooks.definition.RunbookFilesTest.errors;
import static io.durablerunbooks.definition.RunbookFilesTest.parse;
import static org.assertj.core.api.Assertions.assertThat;

import io.durablerunbooks.migrate.MigrateSpec;
import io.durablerunbooks.migrate.MigrateSpec.KeylessTables;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MigrateRunbookFilesTest {

  static final String MIGRATE =
      """
      kind: migrate-data
      name: shop-to-postgres
      environment: staging
      source:
        url: jdbc:mariadb://db1.internal:3306/shop?sslMode=disable
        user: migrator
        password: ${file:/run/secrets/mysql}
      target:
        url: jdbc:postgresql://pg1.internal:5432/shop
        user: migrator
        password: ${env:PGPASSWORD}
      """;

  @Test
  void aMinimalFileGetsTheDefaults() {
    MigrateSpec spec = (MigrateSpec) parse(MIGRATE);

    assertThat(spec.source().host()).isEqualTo("db1.internal");
    assertThat(spec.source().port()).isEqualTo(3306);
    assertThat(spec.source().database()).isEqualTo("shop");
    assertThat(spec.source().parameters()).isEqualTo("sslMode=disable");
    assertThat(spec.target().database()).isEqualTo("shop");
    assertThat(spec.targetSchema()).isEqualTo("public");
    assertThat(spec.include()).isEmpty();
    assertThat(spec.keylessTables()).isEqualTo(KeylessTables.REFUSE);
    assertThat(spec.copy()).isEqualTo(new MigrateSpec.CopyOptions(2, 100_000));
    assertThat(spec.verify()).isEqualTo(new MigrateSpec.VerifyOptions(true, Duration.ofMillis(500), 100));
    assertThat(spec.sync()).isEqualTo(new MigrateSpec.SyncOptions(false, Map.of(), Duration.ofMinutes(15)));
  }

  @Test
  void everySectionIsRead() {
    MigrateSpec spec =
        (MigrateSpec)
            parse(
                MIGRATE.replace("user: migrator\n  password: ${env:PGPASSWORD}", "user: migrator\n  password: ${env:PGPASSWORD}\n  schema: shop")
                    + """
                    tables: { include: [orders, customers, events], exclude: [events], withoutPrimaryKey: copy-whole }
                    columnTypes: { stores.location: text, orders.total: "numeric(12,2)" }
                    checkConstraints: { orders.sku_form: "sku ~ '^[A-Z]'", orders.legacy: skip }
                    leaveBehind: [orders_audit, active_customers]
                    copy: { parallelism: 4, chunkRows: 50000 }
                    verify: { enabled: false, queryTime: 2s, maxListedRows: 20 }
                    sync: { enabled: true, watermarks: { orders: updated_at }, margin: 1h }
                    """);

    assertThat(spec.targetSchema()).isEqualTo("shop");
    assertThat(spec.include()).containsExactly("orders", "customers", "events");
    assertThat(spec.exclude()).containsExactly("events");
    assertThat(spec.keylessTables()).isEqualTo(KeylessTables.COPY_WHOLE);
    assertThat(spec.columnTypes()).containsOnly(Map.entry("stores.location", "text"), Map.entry("orders.total", "numeric(12,2)"));
    assertThat(spec.checkConstraints()).containsOnly(Map.entry("orders.sku_form", "sku ~ '^[A-Z]'"), Map.entry("orders.legacy", "skip"));
    assertThat(spec.leaveBehind()).containsExactly("orders_audit", "active_customers");
    assertThat(spec.copy()).isEqualTo(new MigrateSpec.CopyOptions(4, 50_000));
    assertThat(spec.verify()).isEqualTo(new MigrateSpec.VerifyOptions(false, Duration.ofSeconds(2), 20));
    assertThat(spec.sync()).isEqualTo(new MigrateSpec.SyncOptions(true, Map.of("orders", "updated_at"), Duration.ofHours(1)));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '#',
      value = {
        "a PostgreSQL URL as source # jdbc:mariadb://db1.internal:3306/shop?sslMode=disable # jdbc:postgresql://db1/shop # source.url # must start with jdbc:mariadb:// or jdbc:mysql://",
        "no database in the URL     # jdbc:mariadb://db1.internal:3306/shop?sslMode=disable # jdbc:mysql://db1:3306/ # source.url # must look like jdbc:mariadb://host:port/database",
        "a password in the URL      # jdbc:mariadb://db1.internal:3306/shop?sslMode=disable # jdbc:mysql://db1/shop?password=x # source.url # must not carry a password",
      })
  void aBadSourceUrlIsNamed(String name, String from, String to, String path, String phrase) {
    assertOnlyError(errors(MIGRATE.replace(from, to)), path, phrase);
  }

  @Test
  void aLiteralPasswordIsRefused() {
    assertOnlyError(
        errors(MIGRATE.replace("${file:/run/secrets/mysql}", "hunter2")), "source.password", "would be stored in the workflow history");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '#',
      value = {
        "columnTypes # columnTypes: { location: text, stores.location: \"text; DROP TABLE x\" }"
            + " # columnTypes.location # the key must be table.column"
            + " # columnTypes.stores.location # must be a PostgreSQL type like text",
        "checkConstraints # checkConstraints: { sku_form: skip, orders.sku_form: \"true; DROP TABLE x\" }"
            + " # checkConstraints.sku_form # the key must be table.constraint"
            + " # checkConstraints.orders.sku_form # must be skip, or a PostgreSQL boolean expression",
        "leaveBehind # leaveBehind: [orders_audit, \"x; DROP TABLE y\", orders_audit]"
            + " # leaveBehind[1] # must be a trigger, view, procedure, function or event name of letters, digits"
            + " # leaveBehind[2] # \"orders_audit\" is listed twice",
      })
  void eachBadEntryIsNamedAndNoSqlGetsThrough(String field, String yaml, String path, String phrase, String otherPath, String otherPhrase) {
    List<FieldError> errors = errors(MIGRATE + yaml + "\n");

    assertHasError(errors, path, phrase);
    assertHasError(errors, otherPath, otherPhrase);
    assertThat(errors).hasSize(2);
  }

  @Test
  void checksAndCodeLeftBehindAreNoneByDefault() {
    assertOnlyError(errors(MIGRATE + "checkConstraints: { orders.b: \" \" }\n"), "checkConstraints.orders.b", "non-empty");
    MigrateSpec spec = (MigrateSpec) parse(MIGRATE);
    assertThat(spec.checkConstraints()).isEmpty();
    assertThat(spec.leaveBehind()).isEmpty();
  }

  @Test
  void tableNamesAndOptionsAreChecked() {
    List<FieldError> errors =
        errors(MIGRATE + """
            tables: { include: [orders, "bad name"], withoutPrimaryKey: skip }
            copy: { parallelism: 0, chunkRows: 10 }
            verify: { queryTime: 5m }
            sync: { watermarks: { orders: "updated at" } }
            """);

    assertHasError(errors, "tables.include[1]", "must be a table name");
    assertHasError(errors, "tables.withoutPrimaryKey", "expected one of refuse, copy-whole");
    assertHasError(errors, "copy.parallelism", "between 1 and 16");
    assertHasError(errors, "copy.chunkRows", "between 1000 and 10000000");
    assertHasError(errors, "verify.queryTime", "must be at most 30s");
    assertHasError(errors, "sync.watermarks.orders", "must map a table name to a column name");
  }

  @Test
  void anUnknownFieldIsNamed() {
    assertOnlyError(errors(MIGRATE + "cpy: { parallelism: 2 }\n"), "cpy", "did you mean \"copy\"?");
  }
}
