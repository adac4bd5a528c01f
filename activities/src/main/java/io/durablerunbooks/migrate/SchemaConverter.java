package io.durablerunbooks.migrate;

import io.durablerunbooks.migrate.MigrateSpec.KeylessTables;
import io.durablerunbooks.migrate.SourceSchema.Check;
import io.durablerunbooks.migrate.SourceSchema.Column;
import io.durablerunbooks.migrate.SourceSchema.ForeignKey;
import io.durablerunbooks.migrate.SourceSchema.Index;
import io.durablerunbooks.migrate.SourceSchema.IndexPart;
import io.durablerunbooks.migrate.SourceSchema.Table;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The type map of docs/migrate-data.md, applied to a source schema: the PostgreSQL DDL of every
 * selected table, or the list of everything that cannot be converted. Nothing is changed silently:
 * what is converted differently from the source (an index renamed, a FULLTEXT index not built) is
 * a note of the plan, and what cannot be converted at all is a problem that stops the run before
 * any data moves.
 */
final class SchemaConverter {

  private static final Pattern SIZED = Pattern.compile("[a-z]+\\((\\d+)(?:,(\\d+))?\\).*");
  private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?");
  private static final Pattern NOW = Pattern.compile("(current_timestamp|now|localtimestamp|localtime)(\\(\\d?\\))?");
  private static final Pattern BIT_LITERAL = Pattern.compile("b'([01]+)'");
  private static final Set<String> TEXT_TYPES =
      Set.of("char", "varchar", "tinytext", "text", "mediumtext", "longtext");
  private static final Pattern TEXT_KEY = Pattern.compile("(?i)(var)?char\\(\\d+\\)");
  private static final Set<String> BINARY_TYPES =
      Set.of("binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob");
  private static final long MAX_BIGINT_NEXT = Long.MAX_VALUE;

  private record Fixed(ColumnFamily family, String pgType) {}

  /** MySQL types whose PostgreSQL type depends on nothing else: no size, sign or precision. */
  private static final Map<String, Fixed> FIXED =
      Map.of(
          "mediumint", new Fixed(ColumnFamily.INTEGER, "integer"),
          "float", new Fixed(ColumnFamily.FLOAT, "real"),
          "double", new Fixed(ColumnFamily.FLOAT, "double precision"),
          "real", new Fixed(ColumnFamily.FLOAT, "double precision"),
          "date", new Fixed(ColumnFamily.DATE, "date"),
          "year", new Fixed(ColumnFamily.YEAR, "smallint"),
          "json", new Fixed(ColumnFamily.JSON, "jsonb"),
          "enum", new Fixed(ColumnFamily.ENUM, "text"),
          "set", new Fixed(ColumnFamily.SET, "text"));

  private final MigrateSpec spec;
  private final String schema;
  private final List<String> problems = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  /** Index and constraint names taken in the target schema, which PostgreSQL keeps per schema. */
  private final Set<String> relationNames = new HashSet<>();

  SchemaConverter(MigrateSpec spec) {
    this.spec = spec;
    this.schema = spec.targetSchema();
  }

  record Result(List<TablePlan> tables, List<String> notes, List<String> problems) {}

  Result convert(SourceSchema source) {
    List<Table> selected = select(source.tables());
    Set<String> names = selected.stream().map(Table::name).collect(Collectors.toSet());
    for (Table t : selected) {
      relationNames.add(t.name());
      relationNames.add(t.name() + "_pkey");
    }
    unknownOverrides(selected);
    Set<String> narrowed = narrowedColumns(selected);
    List<TablePlan> plans = new ArrayList<>();
    for (Table t : selected) {
      TablePlan plan = table(t, names, narrowed);
      if (plan != null) {
        plans.add(plan);
      }
    }
    watermarks(plans, names);
    sourceCode(source, selected);
    return new Result(plans, notes, problems);
  }

  /**
   * Code on the source (the copied tables' triggers, the database's views, procedures, functions
   * and events) is the application's to port: migrate-data copies tables. Each piece must be named
   * in {@code leaveBehind}, so a trigger that keeps an audit table is never lost without a word; the
   * refusal writes the line that acknowledges all of it, to paste once the porting is done.
   */
  private void sourceCode(SourceSchema source, List<Table> selected) {
    List<SourceSchema.Code> code = new ArrayList<>();
    for (Table t : selected) {
      t.triggers().forEach(name -> code.add(new SourceSchema.Code("trigger", name, t.name())));
    }
    code.addAll(source.otherObjects());
    Set<String> onSource = new HashSet<>(source.otherObjects().stream().map(SourceSchema.Code::name).toList());
    source.tables().forEach(t -> onSource.addAll(t.triggers()));
    for (String name : spec.leaveBehind()) {
      if (!onSource.contains(name)) {
        problems.add("leaveBehind: the source has no trigger, view, procedure, function or event named \"" + name + "\"");
      }
    }
    Map<Boolean, List<SourceSchema.Code>> named =
        code.stream().collect(Collectors.partitioningBy(c -> spec.leaveBehind().contains(c.name())));
    if (!named.get(false).isEmpty()) {
      problems.add("the source runs code that migrate-data does not carry over (it copies tables): " + described(named.get(false))
          + ". Port to PostgreSQL what the application relies on, then acknowledge each in the runbook: leaveBehind: ["
          + code.stream().map(SourceSchema.Code::name).distinct().collect(Collectors.joining(", ")) + "]");
    }
    if (!named.get(true).isEmpty()) {
      notes.add("left on the source, not carried over (leaveBehind): " + described(named.get(true)));
    }
  }

  private static String described(List<SourceSchema.Code> code) {
    return code.stream().map(SourceSchema.Code::toString).collect(Collectors.joining(", "));
  }

  private List<Table> select(List<Table> tables) {
    Set<String> present = tables.stream().map(Table::name).collect(Collectors.toSet());
    for (String name : spec.include()) {
      if (!present.contains(name)) {
        problems.add("tables.include: the source has no table \"" + name + "\"");
      }
    }
    for (String name : spec.exclude()) {
      if (!present.contains(name)) {
        problems.add("tables.exclude: the source has no table \"" + name + "\"");
      }
    }
    return tables.stream()
        .filter(t -> spec.include().isEmpty() || spec.include().contains(t.name()))
        .filter(t -> !spec.exclude().contains(t.name()))
        .toList();
  }

  private void watermarks(List<TablePlan> plans, Set<String> copied) {
    spec.sync().watermarks().forEach((table, column) -> {
      String where = "sync.watermarks." + table;
      if (!copied.contains(table)) {
        problems.add(where + ": no table \"" + table + "\" among the tables copied");
        return;
      }
      plans.stream()
          .filter(p -> p.name().equals(table))
          .findFirst()
          .ifPresent(p -> {
            ColumnPlan c = p.columns().stream().filter(x -> x.name().equals(column)).findFirst().orElse(null);
            if (c == null) {
              problems.add(where + ": " + table + " has no column \"" + column + "\"");
            } else if (c.family() != ColumnFamily.DATETIME && c.family() != ColumnFamily.TIMESTAMP) {
              problems.add(where + ": " + table + "." + column + " is " + c.sourceType()
                  + "; a watermark must be a datetime or timestamp column the application sets on every change");
            } else if (p.primaryKey().isEmpty()) {
              problems.add(where + ": " + table + " has no primary key, so changed rows cannot be upserted by it;"
                  + " leave the watermark out and the table is compared and replaced whole");
            }
          });
    });
  }

  private void unknownOverrides(List<Table> tables) {
    unknownKeys("columnTypes", spec.columnTypes().keySet(), "column", tables, t -> t.columns().stream().map(Column::name));
    unknownKeys("checkConstraints", spec.checkConstraints().keySet(), "CHECK constraint", tables,
        t -> t.checks().stream().map(Check::name));
  }

  /** Each {@code table.name} key of the runbook's {@code field} must name one of the tables' {@code names}. */
  private void unknownKeys(String field, Set<String> keys, String what, List<Table> tables, Function<Table, Stream<String>> names) {
    for (String key : keys) {
      String[] parts = key.split("\\.", 2);
      if (tables.stream().noneMatch(t -> t.name().equals(parts[0]) && names.apply(t).anyMatch(parts[1]::equals))) {
        problems.add(field + "." + key + ": no such " + what + " among the tables copied");
      }
    }
  }

  /**
   * {@code bigint unsigned auto_increment} becomes bigint rather than numeric(20), as an identity
   * must be an integer type; so do the columns referencing it, so the foreign keys stay valid.
   * A key above 2^63-1 then fails the copy of its chunk with PostgreSQL's "out of range" error.
   */
  private Set<String> narrowedColumns(List<Table> tables) {
    Set<String> narrowed = new HashSet<>();
    for (Table t : tables) {
      for (Column c : t.columns()) {
        if (c.columnType().startsWith("bigint") && c.columnType().contains("unsigned") && c.extra().contains("auto_increment")) {
          narrowed.add(t.name() + "." + c.name());
        }
      }
    }
    for (Table t : tables) {
      for (ForeignKey fk : t.foreignKeys()) {
        for (int i = 0; i < fk.columns().size(); i++) {
          if (narrowed.contains(fk.refTable() + "." + fk.refColumns().get(i))) {
            narrowed.add(t.name() + "." + fk.columns().get(i));
          }
        }
      }
    }
    return narrowed;
  }

  private TablePlan table(Table t, Set<String> copied, Set<String> narrowed) {
    int before = problems.size();
    if (t.primaryKey().isEmpty() && spec.keylessTables() == KeylessTables.REFUSE) {
      problems.add(
          "table " + t.name() + " has no primary key, so its rows cannot be copied in resumable ranges or listed"
              + " by key when they differ; set tables.withoutPrimaryKey: copy-whole to copy it in one piece and"
              + " verify it with one whole-table checksum, add a primary key, or exclude it");
    }
    List<ColumnPlan> columns = new ArrayList<>();
    for (Column c : t.columns()) {
      ColumnPlan plan = column(t, c, narrowed.contains(t.name() + "." + c.name()));
      if (plan != null) {
        columns.add(plan);
      }
    }
    if (problems.size() != before) {
      return null;
    }
    String chunkKey = chunkKey(t, columns);
    if (chunkKey.isEmpty()) {
      notes.add(
          "table " + t.name() + " is copied and verified in one piece: "
              + (t.primaryKey().isEmpty()
                  ? "it has no primary key"
                  : "its primary key is neither one integer, binary or char/varchar column, nor an integer or"
                      + " binary column followed only by integer, date or time columns and at most one char/varchar"
                      + " column, nor a char/varchar column followed only by integer, date or time columns"));
    }
    caseInsensitiveUniqueness(t, "the primary key", t.primaryKey());
    if (!t.partitioning().isEmpty()) {
      notes.add("table " + t.name() + " is partitioned on the source (" + t.partitioning() + "); PostgreSQL gets one"
          + " unpartitioned table with all its rows: migrate-data does not translate partitioning, so jobs that drop or"
          + " rotate its partitions need a PostgreSQL equivalent");
    }
    String identity = columns.stream().filter(ColumnPlan::identity).map(ColumnPlan::name).findFirst().orElse("");
    List<String> afterLoad = new ArrayList<>();
    for (Index index : t.indexes()) {
      String ddl = index(t, index, columns);
      if (!ddl.isEmpty()) {
        afterLoad.add(ddl);
      }
    }
    for (ColumnPlan c : columns) {
      if (c.onUpdateNow()) {
        afterLoad.addAll(onUpdateTrigger(t.name(), c));
      }
    }
    for (Column c : t.columns()) {
      if (!c.comment().isEmpty()) {
        afterLoad.add("COMMENT ON COLUMN " + qualified(t.name()) + "." + q(c.name()) + " IS " + pgLiteral(c.comment()));
      }
    }
    List<String> foreignKeys = new ArrayList<>();
    Set<String> referenced = new java.util.TreeSet<>();
    for (ForeignKey fk : t.foreignKeys()) {
      if (!copied.contains(fk.refTable())) {
        notes.add(
            "foreign key " + fk.name() + " of " + t.name() + " is not created: it references " + fk.refTable()
                + ", which is not copied");
        continue;
      }
      foreignKeys.add(
          "ALTER TABLE " + qualified(t.name()) + " ADD CONSTRAINT " + q(fk.name()) + " FOREIGN KEY ("
              + list(fk.columns()) + ") REFERENCES " + qualified(fk.refTable()) + " (" + list(fk.refColumns()) + ")"
              + " ON DELETE " + rule(fk.onDelete()) + " ON UPDATE " + rule(fk.onUpdate()));
      referenced.add(fk.refTable());
    }
    return new TablePlan(
        t.name(),
        columns,
        t.primaryKey(),
        chunkKey,
        t.rows(),
        t.dataBytes(),
        createTable(t, columns),
        afterLoad,
        foreignKeys,
        List.copyOf(referenced),
        identity,
        Math.min(Math.max(t.autoIncrement(), 1), MAX_BIGINT_NEXT));
  }

  private ColumnPlan column(Table t, Column c, boolean narrowed) {
    String where = t.name() + "." + c.name();
    String override = spec.columnTypes().get(where);
    boolean identity = c.extra().contains("auto_increment");
    boolean onUpdate = c.extra().contains("on update current_timestamp");
    boolean unsigned = c.columnType().contains("unsigned");
    boolean recode = !c.charset().isEmpty() && !c.charset().equals("utf8mb4") && !c.charset().equals("binary");
    ColumnFamily family;
    String pgType;
    int width = 0;
    if (c.generated() && override == null) {
      problems.add(
          "column " + where + " is computed by the source (" + c.extra().replace(" generated", "").toUpperCase(Locale.ROOT)
              + " GENERATED AS " + c.generation() + "); migrate-data does not translate MySQL expressions into"
              + " PostgreSQL's, so set columnTypes." + where + " to a PostgreSQL type for its values (it is "
              + c.columnType() + " on the source) to copy them into a plain column, or exclude the table");
      return null;
    }
    if (c.generated()) {
      notes.add("column " + where + " is computed by the source (" + c.generation() + "); the target gets its values in a"
          + " plain " + override.trim() + " column, which nothing keeps up to date after the migration");
    }
    if (override != null) {
      family = ColumnFamily.OVERRIDE;
      pgType = override.trim().toLowerCase(Locale.ROOT);
      identity = identity && Set.of("smallint", "integer", "int", "bigint").contains(pgType);
    } else {
      String type = c.dataType();
      switch (type) {
        case "tinyint" -> {
          family = c.columnType().startsWith("tinyint(1)") && !identity ? ColumnFamily.BOOLEAN : ColumnFamily.INTEGER;
          pgType = family == ColumnFamily.BOOLEAN ? "boolean" : "smallint";
        }
        case "smallint" -> {
          family = ColumnFamily.INTEGER;
          pgType = unsigned ? "integer" : "smallint";
        }
        case "int", "integer" -> {
          family = ColumnFamily.INTEGER;
          pgType = unsigned ? "bigint" : "integer";
        }
        case "bigint" -> {
          family = ColumnFamily.INTEGER;
          pgType = unsigned && !narrowed ? "numeric(20)" : "bigint";
        }
        case "decimal", "numeric" -> {
          family = ColumnFamily.DECIMAL;
          pgType = "numeric(" + c.precision() + "," + c.scale() + ")";
        }
        case "datetime" -> {
          family = ColumnFamily.DATETIME;
          pgType = "timestamp(" + c.datetimePrecision() + ") without time zone";
          width = c.datetimePrecision();
        }
        case "timestamp" -> {
          family = ColumnFamily.TIMESTAMP;
          pgType = "timestamp(" + c.datetimePrecision() + ") with time zone";
          width = c.datetimePrecision();
        }
        case "time" -> {
          family = ColumnFamily.TIME;
          pgType = "time(" + c.datetimePrecision() + ") without time zone";
          width = c.datetimePrecision();
        }
        case "bit" -> {
          family = ColumnFamily.BIT;
          width = c.precision();
          pgType = "bit(" + width + ")";
        }
        default -> {
          if (FIXED.containsKey(type)) {
            family = FIXED.get(type).family();
            pgType = FIXED.get(type).pgType();
          } else if (TEXT_TYPES.contains(type)) {
            family = c.jsonChecked() ? ColumnFamily.JSON : ColumnFamily.TEXT;
            pgType =
                c.jsonChecked() ? "jsonb" : type.endsWith("char") ? "varchar(" + size(c.columnType()) + ")" : "text";
          } else if (BINARY_TYPES.contains(type)) {
            family = ColumnFamily.BINARY;
            pgType = "bytea";
          } else {
            problems.add(
                "column " + where + " has type " + c.columnType() + ", which has no PostgreSQL mapping; set columnTypes."
                    + where + " to a PostgreSQL type that parses MySQL's text form of the values (e.g. text),"
                    + " or exclude the table");
            return null;
          }
        }
      }
    }
    if (identity && !Set.of("smallint", "integer", "bigint").contains(pgType)) {
      problems.add("column " + where + " is auto_increment but maps to " + pgType + ", which cannot be an identity");
      return null;
    }
    String pgDefault = c.hasDefault() && !identity ? defaultValue(where, c, family) : "";
    if (pgDefault == null) {
      return null;
    }
    return new ColumnPlan(
        c.name(), c.columnType(), family, pgType, c.nullable(), pgDefault, onUpdate, identity, width, recode, c.generated());
  }

  /** The PostgreSQL default for MySQL's COLUMN_DEFAULT, or null after recording why there is none. */
  private String defaultValue(String where, Column c, ColumnFamily family) {
    String d = c.defaultValue().trim();
    String lower = d.toLowerCase(Locale.ROOT);
    if (NOW.matcher(lower).matches()) {
      return "CURRENT_TIMESTAMP";
    }
    if (lower.equals("curdate()") || lower.equals("current_date()") || lower.equals("current_date")) {
      return "CURRENT_DATE";
    }
    String literal;
    if (d.length() >= 2 && d.startsWith("'") && d.endsWith("'")) {
      literal = unquote(d.substring(1, d.length() - 1));
    } else if (NUMBER.matcher(d).matches() || BIT_LITERAL.matcher(lower).matches()) {
      literal = d;
    } else if (c.extra().contains("default_generated")) {
      problems.add("column " + where + " has the default expression " + d + ", which has no PostgreSQL translation here");
      return null;
    } else {
      // MySQL 8 shows literal defaults unquoted.
      literal = d;
    }
    Matcher bits = BIT_LITERAL.matcher(literal.toLowerCase(Locale.ROOT));
    return switch (family) {
      case BOOLEAN -> literal.equals("0") ? "false" : "true";
      case INTEGER, DECIMAL, FLOAT, YEAR -> {
        if (!NUMBER.matcher(literal).matches()) {
          problems.add("column " + where + " has the default " + d + ", which is not a number");
          yield null;
        }
        yield literal;
      }
      case BIT -> bits.matches() ? "B'" + bits.group(1) + "'" : "B'" + Long.toBinaryString(Long.parseLong(literal)) + "'";
      case DATE, DATETIME, TIMESTAMP -> {
        if (literal.startsWith("0000-00-00")) {
          notes.add("column " + where + " has the zero date default " + d + "; PostgreSQL gets no default (zero dates become NULL)");
          yield "";
        }
        yield pgLiteral(literal);
      }
      case BINARY -> ValueSql.binaryLiteral(HexFormat.of().formatHex(literal.getBytes(StandardCharsets.UTF_8)), false);
      default -> pgLiteral(literal);
    };
  }

  /**
   * Notes a key whose text columns the source compares case- (or accent-) insensitively: the copy is
   * the same, but PostgreSQL's key compares exactly, so two values the source holds as one can both
   * be written after the migration.
   */
  private void caseInsensitiveUniqueness(Table t, String what, List<String> keyColumns) {
    List<String> insensitive = t.columns().stream()
        .filter(c -> keyColumns.contains(c.name()) && c.collation().endsWith("_ci"))
        .map(c -> c.name() + " (" + c.collation() + ")")
        .toList();
    if (!insensitive.isEmpty()) {
      notes.add(what + " of " + t.name() + " compares " + String.join(", ", insensitive) + " ignoring case on the source and"
          + " exactly on PostgreSQL: values the source takes for one (a@x, A@x) can both be written after the migration;"
          + " a unique index on lower(...) keeps the source's rule");
    }
  }

  private String index(Table t, Index index, List<ColumnPlan> columns) {
    if (!index.type().equals("BTREE") && !index.type().equals("HASH")) {
      notes.add(
          index.type() + " index " + index.name() + " of " + t.name() + " is not created: PostgreSQL has no"
              + " equivalent index type; build a GIN/GiST index for it yourself");
      return "";
    }
    List<String> parts = new ArrayList<>();
    for (IndexPart p : index.parts()) {
      ColumnPlan column = columns.stream().filter(c -> c.name().equals(p.column())).findFirst().orElseThrow();
      if (p.prefixLength() > 0) {
        parts.add(
            column.family() == ColumnFamily.BINARY
                ? "(substring(" + q(p.column()) + " from 1 for " + p.prefixLength() + "))"
                : "(left(" + q(p.column()) + ", " + p.prefixLength() + "))");
      } else {
        parts.add(q(p.column()));
      }
    }
    if (index.unique()) {
      caseInsensitiveUniqueness(t, "unique index " + index.name(), index.parts().stream().map(IndexPart::column).toList());
    }
    String name = index.name();
    if (!relationNames.add(name)) {
      String renamed = t.name() + "_" + name;
      notes.add(
          "index " + name + " of " + t.name() + " is created as " + renamed
              + ": PostgreSQL index names are unique per schema and " + name + " is taken");
      name = renamed;
      relationNames.add(name);
    }
    return "CREATE " + (index.unique() ? "UNIQUE " : "") + "INDEX " + q(name) + " ON " + qualified(t.name())
        + " (" + String.join(", ", parts) + ")";
  }

  /**
   * MySQL's ON UPDATE current_timestamp as a trigger: the column takes the current time when a row
   * changes and the update did not set it. The delta sync sets {@code durable_runbooks.sync} so the
   * source's own value is copied, not replaced.
   */
  private List<String> onUpdateTrigger(String table, ColumnPlan c) {
    String name = onUpdateName(table, c.name());
    String col = q(c.name());
    return List.of(
        "CREATE FUNCTION " + qualified(name) + "() RETURNS trigger LANGUAGE plpgsql AS $fn$\n"
            + "BEGIN\n"
            + "  IF NEW." + col + " IS NOT DISTINCT FROM OLD." + col + " AND NEW IS DISTINCT FROM OLD\n"
            + "     AND coalesce(current_setting('durable_runbooks.sync', true), '') <> 'on' THEN\n"
            + "    NEW." + col + " := CURRENT_TIMESTAMP;\n"
            + "  END IF;\n"
            + "  RETURN NEW;\n"
            + "END\n$fn$",
        "CREATE TRIGGER " + q(name) + " BEFORE UPDATE ON " + qualified(table) + " FOR EACH ROW EXECUTE FUNCTION "
            + qualified(name) + "()");
  }

  /** The name of the trigger, and of its function, that stands for a column's ON UPDATE. */
  static String onUpdateName(String table, String column) {
    return table + "_" + column + "_on_update";
  }

  private String createTable(Table t, List<ColumnPlan> columns) {
    List<String> lines = new ArrayList<>();
    for (ColumnPlan c : columns) {
      StringBuilder line = new StringBuilder("  ").append(q(c.name())).append(' ').append(c.pgType());
      if (c.identity()) {
        line.append(" GENERATED BY DEFAULT AS IDENTITY");
      }
      if (!c.pgDefault().isEmpty()) {
        line.append(" DEFAULT ").append(c.pgDefault());
      }
      if (!c.nullable()) {
        line.append(" NOT NULL");
      }
      lines.add(line.toString());
    }
    for (ColumnPlan c : columns) {
      String check = check(t.name(), c);
      if (!check.isEmpty()) {
        lines.add("  CONSTRAINT " + q(t.name() + "_" + c.name() + "_check") + " CHECK (" + check + ")");
      }
    }
    for (Check check : t.checks()) {
      String override = spec.checkConstraints().get(t.name() + "." + check.name());
      if (MigrateSpec.SKIP_CHECK.equals(override)) {
        notes.add("check " + t.name() + "." + check.name() + " (" + check.clause() + ") is left out of the target (checkConstraints: skip)");
      } else {
        lines.add("  CONSTRAINT " + q(check.name()) + " CHECK (" + (override != null ? override : pgExpression(check.clause())) + ")");
      }
    }
    if (!t.primaryKey().isEmpty()) {
      lines.add("  CONSTRAINT " + q(t.name() + "_pkey") + " PRIMARY KEY (" + list(t.primaryKey()) + ")");
    }
    return "CREATE TABLE " + qualified(t.name()) + " (\n" + String.join(",\n", lines) + "\n)";
  }

  /**
   * A MySQL expression with its {@code `identifiers`} quoted as PostgreSQL's and its string
   * literals (MySQL's backslash escapes, as information_schema writes them) as PostgreSQL's. The
   * rest is taken as PostgreSQL reads it: comparisons, arithmetic, IN, LIKE, IS NULL and the
   * functions both have parse alike, and the preflight runs the DDL on the target (rolled back) so
   * an expression PostgreSQL refuses is named before anything is created.
   */
  static String pgExpression(String mysql) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < mysql.length()) {
      char ch = mysql.charAt(i);
      if (ch == '\'' || ch == '`') {
        StringBuilder text = new StringBuilder();
        int j = i + 1;
        while (j < mysql.length()) {
          char c = mysql.charAt(j);
          if (c == ch && j + 1 < mysql.length() && mysql.charAt(j + 1) == ch) {
            text.append(ch);
            j += 2;
          } else if (c == ch) {
            break;
          } else if (c == '\\' && ch == '\'' && j + 1 < mysql.length()) {
            text.append(unescaped(mysql.charAt(j + 1)));
            j += 2;
          } else {
            text.append(c);
            j++;
          }
        }
        out.append(ch == '`' ? q(text.toString()) : pgLiteral(text.toString()));
        i = j + 1;
      } else {
        out.append(ch);
        i++;
      }
    }
    return out.toString();
  }

  /** What MySQL reads for a backslash and this character in a string literal. */
  private static String unescaped(char c) {
    return switch (c) {
      case 'n' -> "\n";
      case 'r' -> "\r";
      case 't' -> "\t";
      case 'b' -> "\b";
      case 'Z' -> "\u001a";
      case '0' -> "\u0000";
      // LIKE's escapes: MySQL keeps the backslash, as PostgreSQL's LIKE reads it.
      case '%', '_' -> "\\" + c;
      default -> String.valueOf(c);
    };
  }

  private String check(String table, ColumnPlan c) {
    if (c.family() != ColumnFamily.ENUM && c.family() != ColumnFamily.SET) {
      return "";
    }
    List<String> values = enumValues(c.sourceType());
    String array = values.stream().map(SchemaConverter::pgLiteral).collect(Collectors.joining(", "));
    if (c.family() == ColumnFamily.ENUM) {
      return q(c.name()) + " IN (" + array + ")";
    }
    return q(c.name()) + " = '' OR string_to_array(" + q(c.name()) + ", ',') <@ ARRAY[" + array + "]::text[]";
  }

  /** The values of {@code enum('a','b c')}: quoted, with '' for a quote inside. */
  static List<String> enumValues(String columnType) {
    List<String> values = new ArrayList<>();
    int i = columnType.indexOf('(') + 1;
    while (i < columnType.length() && columnType.charAt(i) == '\'') {
      StringBuilder v = new StringBuilder();
      int j = i + 1;
      while (j < columnType.length()) {
        char ch = columnType.charAt(j);
        if (ch == '\'' && j + 1 < columnType.length() && columnType.charAt(j + 1) == '\'') {
          v.append('\'');
          j += 2;
        } else if (ch == '\'') {
          break;
        } else {
          v.append(ch);
          j++;
        }
      }
      values.add(v.toString());
      i = j + 2;
    }
    return values;
  }

  private static String rule(String mysqlRule) {
    return switch (mysqlRule.toUpperCase(Locale.ROOT)) {
      case "CASCADE" -> "CASCADE";
      case "SET NULL" -> "SET NULL";
      case "SET DEFAULT" -> "SET DEFAULT";
      case "NO ACTION" -> "NO ACTION";
      default -> "RESTRICT";
    };
  }

  private static String size(String columnType) {
    Matcher m = SIZED.matcher(columnType);
    return m.matches() ? m.group(1) : "1";
  }

  /** MariaDB's quoted default: '' and backslash escapes undone. */
  private static String unquote(String body) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < body.length(); i++) {
      char ch = body.charAt(i);
      if ((ch == '\'' || ch == '\\') && i + 1 < body.length()) {
        out.append(body.charAt(++i));
      } else {
        out.append(ch);
      }
    }
    return out.toString();
  }

  /**
   * Text as a PostgreSQL string literal, read alike whatever {@code standard_conforming_strings}
   * says: quotes doubled, and text holding a backslash written as an escape string with the
   * backslashes doubled too.
   */
  static String pgLiteral(String value) {
    String quoted = value.replace("'", "''");
    return value.indexOf('\\') < 0 ? "'" + quoted + "'" : "E'" + quoted.replace("\\", "\\\\") + "'";
  }

  static String q(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  private String qualified(String name) {
    return q(schema) + "." + q(name);
  }

  private static String list(List<String> columns) {
    return columns.stream().map(SchemaConverter::q).collect(Collectors.joining(", "));
  }

  /**
   * The column a table is split on: the first of its primary key, when it is an integer and the
   * key's other columns are integers, dates or times and at most one {@code char(n)} or
   * {@code varchar(n)} (a range's rows are those of its integers on both sides, though the text may
   * order them otherwise within the range), or when it is the key's only column and a
   * {@code binary(n)} or {@code varbinary(n)} (a UUID's bytes), which MySQL's index and
   * PostgreSQL's ORDER BY put in the same order, so a range's rows are read in the same order on
   * both sides; or the key's only column, a {@code char(n)} or {@code varchar(n)}
   * ({@link #splitsByText}), whose ranges follow the source's collation (the target's rows of a range are
   * checked against the source's keys where its order differs). Empty when there is none.
   */
  private static String chunkKey(Table t, List<ColumnPlan> columns) {
    if (t.primaryKey().isEmpty()) {
      return "";
    }
    List<ColumnPlan> key = t.primaryKey().stream()
        .map(k -> columns.stream().filter(c -> c.name().equals(k)).findFirst().orElseThrow())
        .toList();
    // Split on the key's first column where both engines can bound a range of it alike: an
    // integer, bytes (UUIDs in binary(16)) or a char/varchar (the source's order, see
    // splitsByText). Further columns: integers, dates and times, and one text column at most in the
    // whole key, as a key's text joins its values by commas, which only one free text keeps
    // unambiguous. A range then holds whole groups of rows sharing the first column's value.
    ColumnPlan first = key.get(0);
    boolean splits = switch (first.family()) {
      case INTEGER -> true;
      case BINARY -> ValueSql.SIZED_BINARY.matcher(first.sourceType()).matches();
      case TEXT -> TEXT_KEY.matcher(first.sourceType()).matches()
          && t.columns().stream().anyMatch(c -> c.name().equals(first.name()) && splitsByText(c));
      default -> false;
    };
    boolean restFits = key.stream().skip(1).allMatch(c -> switch (c.family()) {
      case INTEGER, DATE, DATETIME, TIMESTAMP -> true;
      case TEXT -> TEXT_KEY.matcher(c.sourceType()).matches();
      default -> false;
    });
    boolean oneTextAtMost = key.stream().filter(c -> c.family() == ColumnFamily.TEXT).count() <= 1;
    return splits && restFits && oneTextAtMost ? first.name() : "";
  }

  /**
   * A text key in any character set is split into ranges: MariaDB converts each set's characters to
   * utf8mb4 and back, so a key's bounds and key lists are its text in UTF-8 on both sides; on the
   * source, utf8mb4 literals and parameters, which MariaDB converts to the column's set and so keeps
   * on its index (checked with EXPLAIN for latin1, cp1251, sjis and ucs2). A bound that comes back as
   * other bytes (cp932's duplicate codes) still splits the source's rows in the same ranges for every
   * statement, as they all compare with the same literal.
   */
  private static boolean splitsByText(Column c) {
    return !c.charset().isEmpty() && !c.charset().equals("binary");
  }
}
