package io.durablerunbooks.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The cutover's application of the local stack (scripts/store.sh): store1 serving MariaDB's
 * {@code store} as store_app, PostgreSQL's {@code store} its target.
 */
final class StoreApp {

  static final String URL = "http://127.0.0.1:18130";
  static final String DATABASE = "store";
  static final Path ENV_FILE = Stack.DIR.resolve("store1/app/shared/app.env");
  private static final Pattern ID = Pattern.compile("\"id\": ?(\\d+)");
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();

  private StoreApp() {}

  /** Back to before any cutover: MariaDB writable with a fresh store of {@code rows} items, PostgreSQL's store empty. */
  static void reset(int rows) throws Exception {
    Process reset = new ProcessBuilder(Stack.REPO.resolve("scripts/store.sh").toString(), "reset").redirectErrorStream(true).start();
    String out = new String(reset.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(reset.waitFor()).as(out).isZero();
    try (Connection c = Stack.connectMariadb(DATABASE);
        Statement s = c.createStatement()) {
      s.execute("INSERT INTO items (name, price, updated_at) SELECT CONCAT('seed ', seq), seq % 1000 / 10,"
          + " NOW(6) - INTERVAL seq SECOND FROM seq_1_to_" + rows);
    }
  }

  /** A PostgreSQL trigger refusing the rows the cutover's application check writes: a failure injected after the switch. */
  static void rejectCheckWritesOnPostgres() throws SQLException {
    try (Connection c = Stack.connect(DATABASE);
        Statement s = c.createStatement()) {
      s.execute("CREATE FUNCTION e2e_reject_marker() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
          + " IF NEW.name LIKE 'durable-runbooks check%' THEN RAISE EXCEPTION 'e2e: injected failure of the check write'; END IF;"
          + " RETURN NEW; END $$");
      s.execute("CREATE TRIGGER e2e_reject_marker BEFORE INSERT ON items FOR EACH ROW EXECUTE FUNCTION e2e_reject_marker()");
    }
  }

  static String engine() throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(URL + "/api/db")).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
    return r.body().contains("\"engine\": \"postgresql\"") ? "postgresql" : r.body().contains("\"engine\": \"mysql\"") ? "mysql" : r.body();
  }

  static boolean mysqlReadOnly() throws SQLException {
    return "1".equals(mysql("SELECT @@GLOBAL.read_only").get(0));
  }

  static List<String> mysql(String sql) throws SQLException {
    try (Connection c = Stack.connectMariadb(DATABASE)) {
      return column(c, sql);
    }
  }

  static List<String> postgres(String sql) throws SQLException {
    try (Connection c = Stack.connect(DATABASE)) {
      return column(c, sql);
    }
  }

  /** The names of the load's rows in MySQL. */
  static Set<String> loadInMySql() throws SQLException {
    return new HashSet<>(mysql("SELECT name FROM items WHERE name LIKE 'load %'"));
  }

  static Set<String> loadInPostgres() throws SQLException {
    return new HashSet<>(postgres("SELECT name FROM items WHERE name LIKE 'load %'"));
  }

  /** The table's contents in both databases as one comparable text each: every column of every row. */
  static String mysqlFingerprint() throws SQLException {
    return mysql("SELECT MD5(GROUP_CONCAT(CONCAT_WS('|', id, name, price, DATE_FORMAT(created_at, '%Y-%m-%d %H:%i:%s.%f'),"
        + " DATE_FORMAT(updated_at, '%Y-%m-%d %H:%i:%s.%f')) ORDER BY id SEPARATOR ',')) FROM items").get(0);
  }

  static String postgresFingerprint() throws SQLException {
    return postgres("SELECT md5(string_agg(concat_ws('|', id, name, price, to_char(created_at, 'YYYY-MM-DD HH24:MI:SS.US'),"
        + " to_char(updated_at, 'YYYY-MM-DD HH24:MI:SS.US')), ',' ORDER BY id)) FROM items").get(0);
  }

  static String envFileSha256() throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(ENV_FILE)));
  }

  private static List<String> column(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      List<String> out = new java.util.ArrayList<>();
      while (rs.next()) {
        out.add(rs.getString(1));
      }
      return out;
    }
  }

  /**
   * Writes through the application as its users would, until stopped: inserts, and a delete of
   * every fifth row it inserted. Only what the application acknowledged counts: an insert answered
   * 201 must be in the database the application ends on, a delete answered 200 must not.
   */
  static final class Load implements AutoCloseable {

    /** By the unique names the load gives its rows: a key may come back for another row after a rollback. */
    final Set<String> inserted = ConcurrentHashMap.newKeySet();
    final Set<String> deleted = ConcurrentHashMap.newKeySet();
    final AtomicInteger refused = new AtomicInteger();
    final AtomicInteger acknowledged = new AtomicInteger();
    private static final AtomicInteger LOADS = new AtomicInteger();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private final String prefix = "load " + LOADS.incrementAndGet() + ".";

    Load() {
      thread = new Thread(this::run, "store-load");
      thread.setDaemon(true);
      thread.start();
    }

    private void run() {
      int n = 0;
      while (running.get()) {
        n++;
        try {
          HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(URL + "/api/items")).timeout(Duration.ofSeconds(5))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"" + prefix + n + "\", \"price\": 1.25}")).build(),
              HttpResponse.BodyHandlers.ofString());
          Matcher id = ID.matcher(r.body());
          String name = prefix + n;
          if (r.statusCode() == 201 && id.find()) {
            long key = Long.parseLong(id.group(1));
            inserted.add(name);
            acknowledged.incrementAndGet();
            if (n % 5 == 0) {
              HttpResponse<String> d = HTTP.send(HttpRequest.newBuilder(URI.create(URL + "/api/items/" + key)).timeout(Duration.ofSeconds(5))
                  .DELETE().build(), HttpResponse.BodyHandlers.ofString());
              if (d.statusCode() == 200) {
                deleted.add(name);
                acknowledged.incrementAndGet();
              } else {
                refused.incrementAndGet();
              }
            }
          } else {
            refused.incrementAndGet();
          }
          Thread.sleep(5);
        } catch (IOException e) {
          refused.incrementAndGet();
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    /** The rows acknowledged as inserted and not acknowledged as deleted. */
    Set<String> kept() {
      Set<String> out = new HashSet<>(inserted);
      out.removeAll(deleted);
      return out;
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      thread.join(10_000);
    }
  }
}
