package io.durablerunbooks.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import io.durablerunbooks.activities.LocalStack;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The worker's rendering of JSON text against the real PostgreSQL's {@code ::jsonb::text}: the
 * same bytes for every document PostgreSQL takes, and no rendering for those it refuses.
 */
class JsonbTextTest {

  private static Connection pg;

  @BeforeAll
  static void connect() throws SQLException {
    LocalStack.requireUp();
    pg = LocalStack.connect("postgres");
  }

  @AfterAll
  static void close() throws SQLException {
    pg.close();
  }

  private static Optional<String> rendered(String json) {
    byte[] in = json.getBytes(StandardCharsets.UTF_8);
    JsonbText.Bytes out = new JsonbText.Bytes(4);
    out.add("prefix ");
    boolean ok = new JsonbText().render(in, 0, in.length, out);
    String text = new String(out.a, 0, out.size, StandardCharsets.UTF_8);
    assertThat(text).as("what was there before is kept").startsWith("prefix ");
    return ok ? Optional.of(text.substring("prefix ".length())) : Optional.empty();
  }

  private static Optional<String> postgres(String json) {
    try (PreparedStatement s = pg.prepareStatement("select ?::jsonb::text")) {
      s.setString(1, json);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return Optional.of(rs.getString(1));
      }
    } catch (SQLException e) {
      return Optional.empty();
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"b\": 1, \"a\": 2}",
        "{\"bb\":1,\"a\":2,\"c\":3,\"aa\":4}",
        "{\"a\":1,\"a\":2,\"b\":{\"x\":[],\"x\":{}},\"a\":3}",
        "{ \"é\" : \"caf\\u00e9\" , \"e\" : \"\\ud83d\\ude00 😀\" }",
        "{\"\":\"\",\"z\":null,\"y\":true,\"x\":false}",
        "[1, 1.50, -0, -0.0, 1e2, 1E+2, -1.5e-3, 0e5, 0E-3, 12.340e1, 5e0, 100e-1, 123456789012345678901234567890.123]",
        "[-0e0, 1e-7, 1.0E+10, 2.5e+0, -12e-2, 7E00]",
        "\"tab\\there\\nnew \\\"q\\\" back\\\\ slash\\/ \\b\\f\\r \\u0001 \\u001f \\u007f \"",
        "  42  ",
        "-0",
        "true",
        "null",
        "\"\"",
        "[]",
        "{}",
        "[[], {}, [[[]]], {\"a\": {\"b\": {\"c\": [1, {\"d\": null}]}}}]",
        "{\"\u00ff\": 1, \"\u0100\": 2, \"~\": 3, \"\u007f\": 4}",
        "{\"A\":1,\"a\":2,\"B\":3,\"_\":4,\"0\":5}",
        "{\"key\"\t:\r\n\"v\"}",
        "{\"vip ⭐\": [\"915759\", \"vip ⭐\"], \"score\": 5.488, \"quote\": \"said \\\"hi\\\"\\tthen left\\\\\"}",
      })
  void rendersWhatJsonbRenders(String json) {
    assertThat(postgres(json)).as("PostgreSQL takes " + json).isPresent();
    assertThat(rendered(json)).isEqualTo(postgres(json));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "", " ", "{", "}", "[1,]", "[,1]", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{a:1}", "{\"a\" 1}", "01", "1.", ".5",
        "+1", "1e", "1e+", "-", "--1", "1.5x", "truex", "nul", "True", "\"abc", "\"a\tb\"", "\"\\x\"", "\"\\u12\"",
        "\"\\u0000\"", "\"\\ud83d\"", "\"\\ude00\"", "\"\\ud83d\\u0041\"", "[1] [2]", "{} x", "'a'", "NaN", "Infinity",
      })
  void refusesWhatPostgresRefuses(String json) {
    assertThat(postgres(json)).as("PostgreSQL refuses " + json).isEmpty();
    assertThat(rendered(json)).isEmpty();
  }

  /** An object too large for the insertion sort: keys of many lengths, out of order, some repeated. */
  @Test
  void aLargeObjectIsOrderedAsJsonbOrdersIt() {
    StringBuilder b = new StringBuilder("{");
    for (int i = 3000; i > 0; i--) {
      b.append(i == 3000 ? "" : ", ").append('"').append(Integer.toString(i * 7919 % 2000, 36)).append("\": ").append(i);
    }
    String json = b.append('}').toString();
    assertThat(postgres(json)).isPresent();
    assertThat(rendered(json)).isEqualTo(postgres(json));
  }

  /** Random documents: keys that collide, sort by length and by byte, escapes and number forms. */
  @Test
  void randomDocumentsRenderAsJsonbDoes() throws SQLException {
    Random random = new Random(20261207);
    List<String> docs = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      StringBuilder b = new StringBuilder();
      document(random, b, 0);
      docs.add(b.toString());
    }
    List<String> expected = new ArrayList<>();
    try (PreparedStatement s = pg.prepareStatement("select d::jsonb::text from unnest(?::text[]) with ordinality u(d, n) order by n")) {
      Array array = pg.createArrayOf("text", docs.toArray());
      s.setArray(1, array);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          expected.add(rs.getString(1));
        }
      }
    }
    for (int i = 0; i < docs.size(); i++) {
      assertThat(rendered(docs.get(i))).as(docs.get(i)).contains(expected.get(i));
    }
  }

  private static final String[] KEYS = {
    "a", "b", "aa", "ab", "B", "", "é", "e", "😀", "k\\\"q", "caf\\u00e9", "café", "\\u0041", "A", "zz", "zzz", "a b",
  };
  private static final String[] NUMBERS = {
    "0", "-0", "-0.0", "1.50", "1e2", "1E+2", "-1.5e-3", "0e5", "12.340e1", "5e0", "100e-1", "3.14159", "-42",
    "98765432109876543210", "1e-20", "2.5E+3", "0.000", "7",
  };
  private static final String[] STRINGS = {
    "", "plain", "caf\\u00e9", "café", "\\ud83d\\ude00", "😀", "tab\\t", "line\\nbreak", "\\\"q\\\"", "back\\\\",
    "slash\\/", "\\u0001\\u001F", "\\b\\f\\r", "naïve ⭐", "\\u00e9t\\u00C9", "trailing ",
  };
  private static final String[] SPACE = {"", "", "", " ", "\n", "\t ", "\r\n  "};

  private static void document(Random r, StringBuilder b, int depth) {
    b.append(SPACE[r.nextInt(SPACE.length)]);
    int kind = depth >= 4 ? 2 + r.nextInt(4) : r.nextInt(6);
    switch (kind) {
      case 0 -> {
        b.append('{');
        int n = r.nextInt(7);
        for (int i = 0; i < n; i++) {
          if (i > 0) {
            b.append(',');
          }
          b.append(SPACE[r.nextInt(SPACE.length)]).append('"').append(KEYS[r.nextInt(KEYS.length)]).append('"')
              .append(SPACE[r.nextInt(SPACE.length)]).append(':');
          document(r, b, depth + 1);
        }
        b.append(SPACE[r.nextInt(SPACE.length)]).append('}');
      }
      case 1 -> {
        b.append('[');
        int n = r.nextInt(5);
        for (int i = 0; i < n; i++) {
          if (i > 0) {
            b.append(',');
          }
          document(r, b, depth + 1);
        }
        b.append(SPACE[r.nextInt(SPACE.length)]).append(']');
      }
      case 2 -> b.append(NUMBERS[r.nextInt(NUMBERS.length)]);
      case 3 -> b.append('"').append(STRINGS[r.nextInt(STRINGS.length)]).append('"');
      case 4 -> b.append(new String[] {"true", "false", "null"}[r.nextInt(3)]);
      default -> b.append('"').append(STRINGS[r.nextInt(STRINGS.length)]).append(STRINGS[r.nextInt(STRINGS.length)]).append('"');
    }
    b.append(SPACE[r.nextInt(SPACE.length)]);
  }
}
