package io.durablerunbooks.migrate;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The source's tables as information_schema describes them: what the converter works from. */
/**
 * @param utcNow the source's UTC clock when the schema was read ({@code yyyy-MM-dd HH:mm:ss.SSSSSS})
 * @param otherObjects the database's views, routines and events: none is a table
 */
record SourceSchema(String version, boolean mariadb, String utcNow, List<Table> tables, List<Code> otherObjects) {

  /**
   * Code the source runs, which migrate-data does not carry over: {@code kind} as {@code view} or
   * {@code procedure}; a trigger's table in {@code on}, empty for the rest.
   */
  record Code(String kind, String name, String on) {

    @Override
    public String toString() {
      return kind + " " + name + (on.isEmpty() ? "" : " on " + on);
    }
  }

  record Column(
      String name,
      String dataType,
      String columnType,
      boolean nullable,
      String defaultValue,
      boolean hasDefault,
      String extra,
      String charset,
      int precision,
      int scale,
      int datetimePrecision,
      boolean jsonChecked,
      String generation,
      String collation,
      String comment) {

    /** Whether the source computes the column (STORED or VIRTUAL GENERATED): its expression is {@link #generation}. */
    boolean generated() {
      return extra.contains("stored generated") || extra.contains("virtual generated");
    }
  }

  /** A CHECK constraint of the table (of a column too, in MariaDB) as the source writes it. */
  record Check(String name, String clause) {}

  record IndexPart(String column, int prefixLength) {}

  record Index(String name, boolean unique, String type, List<IndexPart> parts) {}

  record ForeignKey(
      String name, List<String> columns, String refTable, List<String> refColumns, String onDelete, String onUpdate) {}

  /**
   * @param partitioning how the source partitions the table ({@code RANGE (year(`at`)), 4 partitions});
   *     empty when it does not
   */
  record Table(
      String name,
      long rows,
      long dataBytes,
      long autoIncrement,
      String partitioning,
      List<Column> columns,
      List<String> primaryKey,
      List<Index> indexes,
      List<ForeignKey> foreignKeys,
      List<Check> checks,
      List<String> triggers) {}

  @FunctionalInterface
  private interface RowReader {
    void read(ResultSet row) throws SQLException;
  }

  /** Runs an information_schema query whose one parameter is the database, row by row. */
  private static void eachRow(Connection c, String sql, String database, RowReader reader) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, database);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          reader.read(rs);
        }
      }
    }
  }

  @FunctionalInterface
  private interface TableRowReader {
    void read(Table table, ResultSet row) throws SQLException;
  }

  /** As {@link #eachRow}, for rows whose first column names a table: rows of other tables are skipped. */
  private static void eachTableRow(Connection c, String sql, String database, Map<String, Table> tables, TableRowReader reader)
      throws SQLException {
    eachRow(c, sql, database, rs -> {
      Table t = tables.get(rs.getString(1));
      if (t != null) {
        reader.read(t, rs);
      }
    });
  }

  /** Reads every base table of the connection's database. */
  static SourceSchema read(Connection c) throws SQLException {
    String version;
    String database;
    String utcNow;
    try (var s = c.createStatement();
        var rs = s.executeQuery("SELECT VERSION(), DATABASE(), DATE_FORMAT(UTC_TIMESTAMP(6), " + ValueSql.DATETIME_FORMAT + ")")) {
      rs.next();
      version = rs.getString(1);
      database = rs.getString(2);
      utcNow = rs.getString(3);
    }
    boolean mariadb = version.toLowerCase(Locale.ROOT).contains("mariadb");
    Map<String, Table> tables = new LinkedHashMap<>();
    eachRow(
        c,
        "SELECT TABLE_NAME, COALESCE(TABLE_ROWS, 0), COALESCE(DATA_LENGTH, 0), COALESCE(AUTO_INCREMENT, 0),"
            + " COALESCE(p.partitioning, '') FROM information_schema.TABLES LEFT JOIN (SELECT TABLE_NAME,"
            + " CONCAT(MAX(PARTITION_METHOD), ' (', MAX(PARTITION_EXPRESSION), '), ', COUNT(*), ' partitions') AS partitioning"
            + " FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = DATABASE() AND PARTITION_NAME IS NOT NULL"
            + " GROUP BY TABLE_NAME) p USING (TABLE_NAME)"
            + " WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME",
        database,
        rs -> {
          String name = rs.getString(1);
          tables.put(
              name,
              new Table(name, rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getString(5), new ArrayList<>(), new ArrayList<>(),
                  new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>()));
        });
    List<String> jsonChecked = readChecks(c, database, mariadb, tables);
    eachTableRow(
        c,
        "SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA,"
            + " CHARACTER_SET_NAME, COALESCE(NUMERIC_PRECISION, 0), COALESCE(NUMERIC_SCALE, 0),"
            + " COALESCE(DATETIME_PRECISION, 0), COALESCE(GENERATION_EXPRESSION, ''), COALESCE(COLLATION_NAME, ''),"
            + " COLUMN_COMMENT FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, ORDINAL_POSITION",
        database,
        tables,
        (t, rs) -> {
          String name = rs.getString(2);
          String dflt = rs.getString(6);
          // MariaDB shows "no default" as SQL NULL and DEFAULT NULL as the word NULL.
          boolean hasDefault = dflt != null && !(mariadb && dflt.equals("NULL"));
          t.columns()
              .add(
                  new Column(
                      name,
                      rs.getString(3).toLowerCase(Locale.ROOT),
                      rs.getString(4).toLowerCase(Locale.ROOT),
                      rs.getString(5).equals("YES"),
                      hasDefault ? dflt : "",
                      hasDefault,
                      rs.getString(7) == null ? "" : rs.getString(7).toLowerCase(Locale.ROOT),
                      rs.getString(8) == null ? "" : rs.getString(8),
                      rs.getInt(9),
                      rs.getInt(10),
                      rs.getInt(11),
                      jsonChecked.contains(t.name() + "." + name),
                      rs.getString(12),
                      rs.getString(13),
                      rs.getString(14)));
        });
    readIndexes(c, database, tables);
    readForeignKeys(c, database, tables);
    eachTableRow(
        c,
        "SELECT EVENT_OBJECT_TABLE, TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? ORDER BY 1, 2",
        database,
        tables,
        (t, rs) -> t.triggers().add(rs.getString(2)));
    List<Code> others = new ArrayList<>();
    for (String sql : List.of(
        "SELECT 'view', TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'VIEW' ORDER BY 2",
        "SELECT LOWER(ROUTINE_TYPE), ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? ORDER BY 1, 2",
        "SELECT 'event', EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ? ORDER BY 2")) {
      eachRow(c, sql, database, rs -> others.add(new Code(rs.getString(1), rs.getString(2), "")));
    }
    return new SourceSchema(version, mariadb, utcNow, List.copyOf(tables.values()), List.copyOf(others));
  }

  /**
   * Reads the tables' CHECK constraints into them but MariaDB's JSON checks, and returns those
   * columns ({@code table.column}): MariaDB's JSON is longtext with a CHECK (json_valid(`col`))
   * named after the column, which jsonb keeps. MariaDB names a table's checks in CHECK_CONSTRAINTS
   * (names are per table there); MySQL through TABLE_CONSTRAINTS.
   */
  private static List<String> readChecks(Connection c, String database, boolean mariadb, Map<String, Table> tables)
      throws SQLException {
    List<String> jsonChecked = new ArrayList<>();
    eachTableRow(
        c,
        mariadb
            ? "SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS"
                + " WHERE CONSTRAINT_SCHEMA = ? ORDER BY TABLE_NAME, CONSTRAINT_NAME"
            : "SELECT t.TABLE_NAME, k.CONSTRAINT_NAME, k.CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS k"
                + " JOIN information_schema.TABLE_CONSTRAINTS t ON t.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA"
                + " AND t.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND t.CONSTRAINT_TYPE = 'CHECK'"
                + " WHERE k.CONSTRAINT_SCHEMA = ? ORDER BY t.TABLE_NAME, k.CONSTRAINT_NAME",
        database,
        tables,
        (t, rs) -> {
          String name = rs.getString(2);
          String clause = rs.getString(3);
          if (mariadb && clause.replace(" ", "").equalsIgnoreCase("json_valid(`" + name + "`)")) {
            jsonChecked.add(t.name() + "." + name);
          } else {
            t.checks().add(new Check(name, clause));
          }
        });
    return jsonChecked;
  }

  private static void readIndexes(Connection c, String database, Map<String, Table> tables) throws SQLException {
    Map<String, Index> indexes = new LinkedHashMap<>();
    eachTableRow(
        c,
        "SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, INDEX_TYPE, COLUMN_NAME, COALESCE(SUB_PART, 0)"
            + " FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ?"
            + " ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX",
        database,
        tables,
        (t, rs) -> {
          String name = rs.getString(2);
          if (name.equals("PRIMARY")) {
            t.primaryKey().add(rs.getString(5));
            return;
          }
          Index index = indexes.get(t.name() + "\u0000" + name);
          if (index == null) {
            index = new Index(name, rs.getInt(3) == 0, rs.getString(4), new ArrayList<>());
            indexes.put(t.name() + "\u0000" + name, index);
            t.indexes().add(index);
          }
          index.parts().add(new IndexPart(rs.getString(5), rs.getInt(6)));
        });
  }

  private static void readForeignKeys(Connection c, String database, Map<String, Table> tables) throws SQLException {
    Map<String, ForeignKey> keys = new LinkedHashMap<>();
    eachTableRow(
        c,
        "SELECT k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME,"
            + " r.DELETE_RULE, r.UPDATE_RULE"
            + " FROM information_schema.KEY_COLUMN_USAGE k"
            + " JOIN information_schema.REFERENTIAL_CONSTRAINTS r"
            + "   ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME"
            + "  AND r.TABLE_NAME = k.TABLE_NAME"
            + " WHERE k.TABLE_SCHEMA = ? AND k.REFERENCED_TABLE_NAME IS NOT NULL"
            + " ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION",
        database,
        tables,
        (t, rs) -> {
          String name = rs.getString(2);
          ForeignKey fk = keys.get(t.name() + "\u0000" + name);
          if (fk == null) {
            fk = new ForeignKey(name, new ArrayList<>(), rs.getString(4), new ArrayList<>(), rs.getString(6), rs.getString(7));
            keys.put(t.name() + "\u0000" + name, fk);
            t.foreignKeys().add(fk);
          }
          fk.columns().add(rs.getString(3));
          fk.refColumns().add(rs.getString(5));
        });
  }
}
