package io.durablerunbooks.migrate;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The text PostgreSQL's {@code jsonb} output gives for a JSON document, computed on the worker from
 * the document's UTF-8 text as MySQL stores it: object keys ordered as {@code jsonb} orders them
 * (shorter first, then bytewise) with the last of duplicate keys kept, {@code ", "} and {@code ": "}
 * between items, strings with their escapes resolved and written again as {@code jsonb} escapes them
 * (quote, backslash, {@code \b \f \n \r \t}, other control characters as 6-character unicode
 * escapes), numbers as {@code numeric} prints them ({@code 1.50} stays, {@code 1e2} is {@code 100},
 * {@code -0} is {@code 0}). So the source's JSON is hashed from the same text the target renders of
 * its copy.
 *
 * <p>Text that is not JSON PostgreSQL accepts gives no rendering ({@link #render} returns false):
 * the copy could not have taken it, and it must not compare equal to anything.
 */
final class JsonbText {

  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private byte[] in;
  private int pos;
  private int end;
  private Bytes out;
  /** Unescaped string bytes, reused. */
  private final Bytes string = new Bytes(64);

  /** A growable byte buffer. */
  static final class Bytes {
    byte[] a;
    int size;

    Bytes(int capacity) {
      a = new byte[capacity];
    }

    void add(int b) {
      if (size == a.length) {
        a = Arrays.copyOf(a, a.length * 2);
      }
      a[size++] = (byte) b;
    }

    void add(byte[] b, int from, int to) {
      int n = to - from;
      if (size + n > a.length) {
        a = Arrays.copyOf(a, Math.max(a.length * 2, size + n));
      }
      System.arraycopy(b, from, a, size, n);
      size += n;
    }

    void add(String ascii) {
      for (int i = 0; i < ascii.length(); i++) {
        add(ascii.charAt(i));
      }
    }
  }

  /** Thrown inside the parser for text PostgreSQL would refuse; never leaves this class. */
  private static final class NotJson extends Exception {
    NotJson() {
      super(null, null, false, false);
    }
  }

  private static final NotJson NOT_JSON = new NotJson();

  /** An object or array being read: the members written so far and their keys. */
  private static final class Container {
    boolean object;
    int base;
    int n;
    int[] starts = new int[8];
    int[] keyEnds = new int[8];
    final Bytes keys = new Bytes(64);
  }

  /** Open containers, innermost last; kept between documents, so nesting allocates once. */
  private final List<Container> open = new ArrayList<>();

  /**
   * Appends to {@code out} the {@code jsonb} text of the document in {@code json[from, to)}. One
   * loop with its own stack rather than recursion, which the JIT would inline deep and compile for
   * seconds.
   *
   * @return false, with {@code out} as it was, when the text is not a JSON document
   */
  boolean render(byte[] json, int from, int to, Bytes out) {
    this.in = json;
    this.pos = from;
    this.end = to;
    this.out = out;
    int mark = out.size;
    int depth = 0;
    try {
      while (true) {
        skipSpace();
        if (pos >= end) {
          throw NOT_JSON;
        }
        byte b = in[pos];
        if (b == '{' || b == '[') {
          pos++;
          skipSpace();
          byte close = b == '{' ? (byte) '}' : (byte) ']';
          if (pos < end && in[pos] == close) {
            pos++;
            out.add(b);
            out.add(close);
          } else {
            Container c = push(depth++, b == '{');
            if (c.object) {
              member(c);
            } else {
              out.add('[');
            }
            continue;
          }
        } else {
          scalar(b);
        }
        // A value is complete: read on to the next value, closing the containers that end here.
        while (true) {
          skipSpace();
          if (depth == 0) {
            if (pos != end) {
              throw NOT_JSON;
            }
            return true;
          }
          if (pos >= end) {
            throw NOT_JSON;
          }
          Container c = open.get(depth - 1);
          byte next = in[pos++];
          if (c.object) {
            c.n++;
            if (next == ',') {
              member(c);
              break;
            }
            if (next != '}') {
              throw NOT_JSON;
            }
            reorder(c);
          } else {
            if (next == ',') {
              out.add(',');
              out.add(' ');
              break;
            }
            if (next != ']') {
              throw NOT_JSON;
            }
            out.add(']');
          }
          depth--;
        }
      }
    } catch (NotJson e) {
      out.size = mark;
      return false;
    }
  }

  private Container push(int depth, boolean object) {
    if (depth == open.size()) {
      open.add(new Container());
    }
    Container c = open.get(depth);
    c.object = object;
    c.base = out.size;
    c.n = 0;
    c.keys.size = 0;
    return c;
  }

  /** Reads a member's key and colon, writing {@code "key": }; its value comes next. */
  private void member(Container c) throws NotJson {
    skipSpace();
    if (pos >= end || in[pos] != '"') {
      throw NOT_JSON;
    }
    if (c.n == c.starts.length) {
      c.starts = Arrays.copyOf(c.starts, c.n * 2);
      c.keyEnds = Arrays.copyOf(c.keyEnds, c.n * 2);
    }
    c.starts[c.n] = out.size;
    string(c.keys);
    c.keyEnds[c.n] = c.keys.size;
    out.add(':');
    out.add(' ');
    skipSpace();
    if (pos >= end || in[pos] != ':') {
      throw NOT_JSON;
    }
    pos++;
  }

  private void scalar(byte first) throws NotJson {
    switch (first) {
      case '"' -> string(null);
      case 't' -> literal("true");
      case 'f' -> literal("false");
      case 'n' -> literal("null");
      default -> number();
    }
  }

  private void literal(String word) throws NotJson {
    int n = word.length();
    if (end - pos < n) {
      throw NOT_JSON;
    }
    for (int i = 0; i < n; i++) {
      if (in[pos + i] != word.charAt(i)) {
        throw NOT_JSON;
      }
    }
    pos += n;
    if (pos < end && isWordByte(in[pos])) {
      throw NOT_JSON;
    }
    out.add(word);
  }

  /** Bytes PostgreSQL's lexer would take as part of the same token: "truex" is one bad token. */
  private static boolean isWordByte(byte b) {
    return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '_' || b < 0;
  }

  /**
   * Rewrites an object's members, written from its base as {@code "key": value}, in {@code jsonb}'s
   * key order, all but the last of equal keys dropped.
   */
  private void reorder(Container c) {
    int n = c.n;
    byte[] k = c.keys.a;
    int[] ke = c.keyEnds;
    int[] ks = new int[n];
    for (int i = 1; i < n; i++) {
      ks[i] = ke[i - 1];
    }
    int[] order = keyOrder(k, ks, ke, n);
    int base = c.base;
    int total = out.size;
    byte[] members = Arrays.copyOfRange(out.a, base, total);
    out.size = base;
    out.add('{');
    boolean first = true;
    for (int i = 0; i < n; i++) {
      int m = order[i];
      if (i + 1 < n) {
        int next = order[i + 1];
        if (Arrays.equals(k, ks[m], ke[m], k, ks[next], ke[next])) {
          continue;
        }
      }
      if (!first) {
        out.add(',');
        out.add(' ');
      }
      first = false;
      int from = c.starts[m] - base;
      int to = (m + 1 < n ? c.starts[m + 1] : total) - base;
      out.add(members, from, to);
    }
    out.add('}');
  }

  /** Members up to which an object's keys are ordered by insertion sort, quadratic beyond. */
  private static final int INSERTION_SORT_MEMBERS = 32;

  /**
   * The members' indexes in {@code jsonb}'s key order, by a stable sort: of equal keys, the one
   * written last stays last. Insertion sort for the usual small object, often already in order; a
   * merge sort (the JDK's, stable) for a large one, such as a map of thousands of ids.
   */
  private static int[] keyOrder(byte[] k, int[] ks, int[] ke, int n) {
    if (n > INSERTION_SORT_MEMBERS) {
      Integer[] boxed = new Integer[n];
      for (int i = 0; i < n; i++) {
        boxed[i] = i;
      }
      Arrays.sort(boxed, (x, y) -> compareKeys(k, ks, ke, x, y));
      int[] order = new int[n];
      for (int i = 0; i < n; i++) {
        order[i] = boxed[i];
      }
      return order;
    }
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      int m = i;
      int j = i - 1;
      while (j >= 0 && compareKeys(k, ks, ke, order[j], m) > 0) {
        order[j + 1] = order[j];
        j--;
      }
      order[j + 1] = m;
    }
    return order;
  }

  private static int compareKeys(byte[] k, int[] ks, int[] ke, int x, int y) {
    int lx = ke[x] - ks[x];
    int ly = ke[y] - ks[y];
    if (lx != ly) {
      return Integer.compare(lx, ly);
    }
    return Arrays.compareUnsigned(k, ks[x], ke[x], k, ks[y], ke[y]);
  }

  /**
   * Writes the string at {@code pos} as {@code jsonb} does, and appends its unescaped bytes to
   * {@code key} unless that is null. A string whose escapes are all ones {@code jsonb} writes the
   * same way (most are) is copied as it stands.
   */
  private void string(Bytes key) throws NotJson {
    int start = pos;
    int p = pos + 1;
    boolean escaped = false;
    while (true) {
      if (p >= end) {
        throw NOT_JSON;
      }
      byte b = in[p];
      if (b == '"') {
        break;
      }
      if (b == '\\') {
        if (p + 1 >= end) {
          throw NOT_JSON;
        }
        escaped = true;
        byte e = in[p + 1];
        if (e != '"' && e != '\\' && e != 'b' && e != 'f' && e != 'n' && e != 'r' && e != 't') {
          readString();
          writeString(string.a, 0, string.size);
          if (key != null) {
            key.add(string.a, 0, string.size);
          }
          return;
        }
        p += 2;
        continue;
      }
      if (b >= 0 && b < 0x20) {
        throw NOT_JSON;
      }
      p++;
    }
    out.add(in, start, p + 1);
    pos = p + 1;
    if (key != null) {
      if (escaped) {
        pos = start;
        readString();
        key.add(string.a, 0, string.size);
      } else {
        key.add(in, start + 1, p);
      }
    }
  }

  /** Reads the string at {@code pos} into {@link #string}, its escapes resolved. */
  private void readString() throws NotJson {
    pos++;
    string.size = 0;
    while (true) {
      if (pos >= end) {
        throw NOT_JSON;
      }
      byte b = in[pos++];
      if (b == '"') {
        return;
      }
      if (b >= 0 && b < 0x20) {
        throw NOT_JSON;
      }
      if (b != '\\') {
        string.add(b);
        continue;
      }
      if (pos >= end) {
        throw NOT_JSON;
      }
      switch (in[pos++]) {
        case '"' -> string.add('"');
        case '\\' -> string.add('\\');
        case '/' -> string.add('/');
        case 'b' -> string.add('\b');
        case 'f' -> string.add('\f');
        case 'n' -> string.add('\n');
        case 'r' -> string.add('\r');
        case 't' -> string.add('\t');
        case 'u' -> codePoint();
        default -> throw NOT_JSON;
      }
    }
  }

  /** A unicode escape (a surrogate pair takes two), as UTF-8. */
  private void codePoint() throws NotJson {
    int c = hex4();
    if (c >= 0xD800 && c <= 0xDBFF) {
      if (end - pos < 6 || in[pos] != '\\' || in[pos + 1] != 'u') {
        throw NOT_JSON;
      }
      pos += 2;
      int low = hex4();
      if (low < 0xDC00 || low > 0xDFFF) {
        throw NOT_JSON;
      }
      c = 0x10000 + ((c - 0xD800) << 10) + (low - 0xDC00);
    } else if ((c >= 0xDC00 && c <= 0xDFFF) || c == 0) {
      // A lone low surrogate, and NUL, which text cannot hold: PostgreSQL refuses both.
      throw NOT_JSON;
    }
    if (c < 0x80) {
      string.add(c);
    } else if (c < 0x800) {
      string.add(0xC0 | (c >> 6));
      string.add(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      string.add(0xE0 | (c >> 12));
      string.add(0x80 | ((c >> 6) & 0x3F));
      string.add(0x80 | (c & 0x3F));
    } else {
      string.add(0xF0 | (c >> 18));
      string.add(0x80 | ((c >> 12) & 0x3F));
      string.add(0x80 | ((c >> 6) & 0x3F));
      string.add(0x80 | (c & 0x3F));
    }
  }

  private int hex4() throws NotJson {
    if (end - pos < 4) {
      throw NOT_JSON;
    }
    int v = 0;
    for (int i = 0; i < 4; i++) {
      int d = Character.digit(in[pos++], 16);
      if (d < 0) {
        throw NOT_JSON;
      }
      v = (v << 4) | d;
    }
    return v;
  }

  private void writeString(byte[] s, int from, int to) {
    out.add('"');
    for (int i = from; i < to; i++) {
      byte b = s[i];
      switch (b) {
        case '\b' -> out.add("\\b");
        case '\f' -> out.add("\\f");
        case '\n' -> out.add("\\n");
        case '\r' -> out.add("\\r");
        case '\t' -> out.add("\\t");
        case '"' -> out.add("\\\"");
        case '\\' -> out.add("\\\\");
        default -> {
          if (b >= 0 && b < 0x20) {
            out.add("\\u00");
            out.add(HEX[b >> 4]);
            out.add(HEX[b & 0xF]);
          } else {
            out.add(b);
          }
        }
      }
    }
    out.add('"');
  }

  /**
   * A number in JSON's grammar, written as {@code numeric} prints it: as it stands when it has no
   * exponent (but for a negative zero's sign), else through its exact decimal value and scale.
   */
  private void number() throws NotJson {
    int start = pos;
    boolean negative = false;
    if (in[pos] == '-') {
      negative = true;
      pos++;
    }
    if (pos >= end) {
      throw NOT_JSON;
    }
    boolean nonZero = false;
    if (in[pos] == '0') {
      pos++;
    } else if (in[pos] >= '1' && in[pos] <= '9') {
      nonZero = true;
      while (pos < end && in[pos] >= '0' && in[pos] <= '9') {
        pos++;
      }
    } else {
      throw NOT_JSON;
    }
    if (pos < end && in[pos] == '.') {
      pos++;
      int digits = pos;
      while (pos < end && in[pos] >= '0' && in[pos] <= '9') {
        nonZero |= in[pos] != '0';
        pos++;
      }
      if (pos == digits) {
        throw NOT_JSON;
      }
    }
    boolean exponent = false;
    if (pos < end && (in[pos] == 'e' || in[pos] == 'E')) {
      exponent = true;
      pos++;
      if (pos < end && (in[pos] == '+' || in[pos] == '-')) {
        pos++;
      }
      int digits = pos;
      while (pos < end && in[pos] >= '0' && in[pos] <= '9') {
        pos++;
      }
      if (pos == digits) {
        throw NOT_JSON;
      }
    }
    if (pos < end && isWordByte(in[pos])) {
      throw NOT_JSON;
    }
    if (!exponent) {
      out.add(in, negative && !nonZero ? start + 1 : start, pos);
      return;
    }
    BigDecimal value = new BigDecimal(new String(in, start, pos - start, StandardCharsets.US_ASCII));
    // numeric keeps no negative scale: 1e2 has scale 0 and prints 100.
    out.add(value.scale() < 0 ? value.setScale(0).toPlainString() : value.toPlainString());
  }

  private void skipSpace() {
    while (pos < end) {
      byte b = in[pos];
      if (b == ' ' || b == '\t' || b == '\n' || b == '\r') {
        pos++;
      } else {
        return;
      }
    }
  }
}
