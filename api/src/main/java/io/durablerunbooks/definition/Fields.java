package io.durablerunbooks.definition;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.durablerunbooks.secrets.SecretRef;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the fields of one YAML mapping, reporting each problem under its full path. Every key the
 * validator asks for is remembered, so {@link #finish()} can report whatever is left as an unknown
 * field, with the nearest known name as a suggestion.
 *
 * <p>A read returns the value, the default when the field is absent, or null after recording an
 * error; so a null never escapes the validator without an error explaining it.
 */
final class Fields {

  private static final int SHOWN_MAX = 80;
  private static final Pattern PERCENT = Pattern.compile("(\\d{1,3})%");
  private static final Pattern DECIMAL_PERCENT = Pattern.compile("(\\d{1,3}(\\.\\d{1,6})?)%");

  private final String path;
  private final ObjectNode node;
  private final List<FieldError> errors;
  private final Set<String> known = new LinkedHashSet<>();

  private Fields(String path, ObjectNode node, List<FieldError> errors) {
    this.path = path;
    this.node = node;
    this.errors = errors;
  }

  static Fields root(ObjectNode node, List<FieldError> errors) {
    return new Fields("", node, errors);
  }

  /** Where this mapping is in the file, e.g. {@code hosts[1]}; empty for the file itself. */
  String path() {
    return path;
  }

  String pathOf(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  void error(String key, String message) {
    errors.add(new FieldError(pathOf(key), message));
  }

  /** The value as error messages show it; only for fields that never hold secrets. */
  String shown(String key) {
    return describe(node.get(key));
  }

  /** Null when absent or written as YAML null ({@code key:} with nothing after it). */
  private JsonNode value(String key) {
    known.add(key);
    JsonNode v = node.get(key);
    return v == null || v.isNull() ? null : v;
  }

  /** Whether the file gives the field (a null value counts as not given). */
  boolean has(String key) {
    return value(key) != null;
  }

  String requiredText(String key) {
    if (value(key) == null) {
      error(key, "required");
      return null;
    }
    String v = text(key, "");
    if (v != null && v.isBlank()) {
      error(key, "must not be empty");
      return null;
    }
    return v;
  }

  String text(String key, String fallback) {
    return typed(key, fallback, JsonNode::isTextual, JsonNode::textValue, "expected a string", true);
  }

  /**
   * A string, or an integer written without quotes (YAML reads {@code 42} as a number). Booleans and
   * decimals are refused: YAML would turn {@code t} into nothing of the kind and {@code 1.50} into
   * 1.5, so they must be quoted to mean what they say.
   */
  String textOrInteger(String key, String fallback) {
    return typed(
        key,
        fallback,
        v -> v.isTextual() || v.isIntegralNumber(),
        JsonNode::asText,
        "expected a string or an integer (quote booleans and decimals, e.g. \"t\" or \"1.50\","
            + " to say exactly what the query returns as text)",
        true);
  }

  /** Text without echoing it in messages: for values that may carry a token. */
  String quietText(String key, String fallback) {
    return typed(key, fallback, JsonNode::isTextual, JsonNode::textValue, "expected a string", false);
  }

  Boolean bool(String key, boolean fallback) {
    return typed(key, fallback, JsonNode::isBoolean, JsonNode::booleanValue, "expected true or false", true);
  }

  /**
   * @param expected what the error says is expected; {@code , got <value>} follows when
   *     {@code echo}
   */
  private <T> T typed(
      String key,
      T fallback,
      Predicate<JsonNode> accepts,
      Function<JsonNode, T> read,
      String expected,
      boolean echo) {
    JsonNode v = value(key);
    if (v == null) {
      return fallback;
    }
    if (!accepts.test(v)) {
      error(key, echo ? expected + ", got " + describe(v) : expected);
      return null;
    }
    return read.apply(v);
  }

  String choice(String key, String fallback, List<String> allowed) {
    String v = text(key, fallback);
    if (v != null && !allowed.contains(v)) {
      error(key, "expected one of " + String.join(", ", allowed) + ", got " + describe(node.get(key)));
      return null;
    }
    return v;
  }

  Integer integer(String key, int fallback, int min, int max) {
    JsonNode v = value(key);
    if (v == null) {
      return fallback;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < min || v.intValue() > max) {
      String range =
          max == Integer.MAX_VALUE ? ">= " + min : "between " + min + " and " + max;
      error(key, "expected an integer " + range + ", got " + describe(v));
      return null;
    }
    return v.intValue();
  }

  /** A number from {@code min} to {@code max}, integer or decimal, like 1.5. */
  Double number(String key, double fallback, double min, double max) {
    JsonNode v = value(key);
    if (v == null) {
      return fallback;
    }
    if (!v.isNumber() || v.doubleValue() < min || v.doubleValue() > max) {
      error(key, "expected a number between " + describe(min) + " and " + describe(max) + ", like 1.5, got " + describe(v));
      return null;
    }
    return v.doubleValue();
  }

  private static String describe(double bound) {
    return bound == Math.rint(bound) ? String.valueOf((long) bound) : String.valueOf(bound);
  }

  /** A byte size: an integer, or text like {@code 16MiB}. */
  Long size(String key, long fallback) {
    JsonNode v = value(key);
    if (v == null) {
      return fallback;
    }
    if (v.isIntegralNumber() && v.canConvertToLong() && v.longValue() >= 0) {
      return v.longValue();
    }
    try {
      if (v.isTextual()) {
        return Sizes.parse(v.textValue());
      }
      error(key, Sizes.EXPECTED + ", got " + describe(v));
    } catch (IllegalArgumentException e) {
      error(key, e.getMessage() + ", got " + describe(v));
    }
    return null;
  }

  /** A duration longer than zero. */
  Duration positiveDuration(String key, Duration fallback) {
    JsonNode v = value(key);
    if (v == null) {
      return fallback;
    }
    try {
      if (v.isTextual()) {
        Duration d = Durations.parse(v.textValue());
        if (!d.isZero()) {
          return d;
        }
        error(key, "must be longer than zero, got " + describe(v));
        return null;
      }
      error(key, Durations.EXPECTED + ", got " + describe(v));
    } catch (IllegalArgumentException e) {
      error(key, e.getMessage() + ", got " + describe(v));
    }
    return null;
  }

  /**
   * A secret reference; a literal is refused without being repeated, since it is most likely the
   * secret itself.
   *
   * @param envExample and {@code fileExample} make the message's example fit the field
   */
  SecretRef secret(String key, String envExample, String fileExample) {
    JsonNode v = value(key);
    String like = "a secret reference like ${env:" + envExample + "} or ${file:" + fileExample + "}";
    if (v == null) {
      error(key, "required: " + like);
      return null;
    }
    if (!v.isTextual() || !SecretRef.isReference(v.textValue())) {
      error(key, "must be " + like + "; a literal value would be stored in the workflow history");
      return null;
    }
    SecretRef ref = SecretRef.of(v.textValue());
    if (ref.source().equals("file") && !ref.locator().startsWith("/")) {
      error(key, "must name an absolute path, like ${file:" + fileExample + "} (got \"" + ref + "\")");
      return null;
    }
    return ref;
  }

  /** Like {@link #secret}, but optional: the reference's text, or empty when absent. */
  String optionalSecret(String key, String envExample, String fileExample) {
    if (value(key) == null) {
      return "";
    }
    SecretRef ref = secret(key, envExample, fileExample);
    return ref == null ? null : ref.reference();
  }

  /**
   * A count, or a share of a whole written as a percentage.
   *
   * @param percent whether {@code value} is a percentage (0 to 100) rather than a count
   */
  record CountOrPercent(int value, boolean percent) {

    /** The count, or the percentage of {@code whole} rounded down. */
    int of(int whole) {
      return percent ? (int) ((long) value * whole / 100) : value;
    }

    @Override
    public String toString() {
      return percent ? value + "%" : Integer.toString(value);
    }
  }

  /**
   * An integer from 0, or a percentage like {@code 25%}.
   *
   * @param of what a percentage is a share of, for the message: {@code the hosts}
   */
  CountOrPercent countOrPercent(String key, int fallback, String of) {
    JsonNode v = value(key);
    if (v == null) {
      return new CountOrPercent(fallback, false);
    }
    if (v.isIntegralNumber() && v.canConvertToInt() && v.intValue() >= 0) {
      return new CountOrPercent(v.intValue(), false);
    }
    Matcher percent = PERCENT.matcher(v.isTextual() ? v.textValue().strip() : "");
    if (percent.matches() && Integer.parseInt(percent.group(1)) <= 100) {
      return new CountOrPercent(Integer.parseInt(percent.group(1)), true);
    }
    error(key, "expected an integer >= 0 or a percentage of " + of + " from 0% to 100%, like 25%, got " + describe(v));
    return null;
  }

  /**
   * A percentage from 0% to 100% like {@code 1%} or {@code 99.5%}, as a fraction from 0 to 1. A
   * bare number is refused: {@code 0.5} could mean half or half a percent.
   *
   * @param fallback the fraction when the field is absent
   */
  Double percent(String key, double fallback) {
    JsonNode v = value(key);
    if (v == null) {
      return fallback;
    }
    Matcher percent = DECIMAL_PERCENT.matcher(v.isTextual() ? v.textValue().strip() : "");
    if (percent.matches()) {
      BigDecimal value = new BigDecimal(percent.group(1));
      if (value.compareTo(BigDecimal.valueOf(100)) <= 0) {
        return value.movePointLeft(2).doubleValue();
      }
    }
    error(key, "expected a percentage from 0% to 100%, like 1% or 99.5%, got " + describe(v));
    return null;
  }

  /** A list of integers each from {@code min} to {@code max}; empty when absent; null after an error. */
  List<Integer> integerList(String key, int min, int max, String example) {
    return list(
        key,
        "expected a list of integers like " + example,
        item -> item.isIntegralNumber() && item.canConvertToInt() && item.intValue() >= min && item.intValue() <= max,
        "expected an integer between " + min + " and " + max,
        Fields::describe,
        (path, item) -> item.intValue());
  }

  List<String> textList(String key) {
    return list(
        key,
        "expected a list like [alice, bob]",
        item -> item.isTextual() && !item.textValue().isBlank(),
        "expected a non-empty string",
        Fields::describe,
        (path, item) -> item.textValue());
  }

  /**
   * One name or a list of names, as a list: {@code only: canary} reads like {@code only: [canary]}.
   * Empty when absent, and for an empty list; null after an error.
   *
   * @param expected what the error says a value of the wrong type should have been
   */
  List<String> textOrTextList(String key, String expected) {
    JsonNode v = node.get(key);
    if (v != null && !v.isNull() && !v.isArray()) {
      String text = typed(key, null, JsonNode::isTextual, JsonNode::textValue, "expected " + expected, true);
      if (text != null && text.isBlank()) {
        error(key, "expected " + expected + ", got " + describe(v));
        return null;
      }
      return text == null ? null : List.of(text);
    }
    return list(
        key,
        "expected " + expected,
        item -> item.isTextual() && !item.textValue().isBlank(),
        "expected a non-empty string",
        Fields::describe,
        (path, item) -> item.textValue());
  }

  /**
   * A mapping of free keys to non-empty strings, in file order: empty when absent, null after an
   * error. Each bad entry is reported under its own key.
   */
  Map<String, String> textMap(String key) {
    JsonNode v = value(key);
    if (v == null) {
      return Map.of();
    }
    if (!v.isObject()) {
      error(key, "expected a mapping like {orders.shape: text}, got " + typeOf(v));
      return null;
    }
    Map<String, String> entries = new LinkedHashMap<>();
    boolean ok = true;
    for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isTextual() || e.getValue().textValue().isBlank()) {
        errors.add(new FieldError(pathOf(key) + "." + e.getKey(), "expected a non-empty string, got " + describe(e.getValue())));
        ok = false;
      } else {
        entries.put(e.getKey(), e.getValue().textValue());
      }
    }
    return ok ? entries : null;
  }

  /** Reads a field whose value is none of the types it may have, and says so with what it holds. */
  void refuse(String key, String expected) {
    typed(key, null, v -> false, v -> null, "expected " + expected, true);
  }

  /** Whether the field is there with a value; the field is not read. */
  boolean present(String key) {
    return holds(key, v -> true);
  }

  /** Whether the field is there and its value passes {@code test}; the field is not read. */
  boolean holds(String key, Predicate<JsonNode> test) {
    JsonNode v = node.get(key);
    return v != null && !v.isNull() && test.test(v);
  }

  /** The mappings of the list under {@code key}; empty when absent; null after an error. */
  List<Fields> objectList(String key) {
    return list(
        key,
        "expected a list",
        JsonNode::isObject,
        "expected a mapping of fields",
        Fields::typeOf,
        (path, item) -> new Fields(path, (ObjectNode) item, errors));
  }

  /**
   * Every item of the list read, or null after an error for each item that is not as expected.
   *
   * @param shown how a refused item appears in its error
   */
  private <T> List<T> list(
      String key,
      String expectedList,
      Predicate<JsonNode> accepts,
      String expectedItem,
      Function<JsonNode, String> shown,
      BiFunction<String, JsonNode, T> read) {
    JsonNode v = value(key);
    if (v == null) {
      return List.of();
    }
    if (!v.isArray()) {
      error(key, expectedList + ", got " + describe(v));
      return null;
    }
    List<T> items = new ArrayList<>();
    for (int i = 0; i < v.size(); i++) {
      JsonNode item = v.get(i);
      String path = pathOf(key) + "[" + i + "]";
      if (accepts.test(item)) {
        items.add(read.apply(path, item));
      } else {
        errors.add(new FieldError(path, expectedItem + ", got " + shown.apply(item)));
      }
    }
    return items.size() == v.size() ? items : null;
  }

  /** The mapping under {@code key}, or null after recording that it is missing or not a mapping. */
  Fields requiredObject(String key) {
    if (value(key) == null) {
      error(key, "required");
      return null;
    }
    return object(key);
  }

  /** The mapping under {@code key}, an empty one when absent (its defaults apply), or null. */
  Fields object(String key) {
    JsonNode v = value(key);
    if (v == null) {
      return new Fields(pathOf(key), node.objectNode(), errors);
    }
    if (!v.isObject()) {
      error(key, "expected a mapping of fields, got " + typeOf(v));
      return null;
    }
    return new Fields(pathOf(key), (ObjectNode) v, errors);
  }

  /** Reports every field nobody asked for. Call once all known fields have been read. */
  void finish() {
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!known.contains(name)) {
        String nearest = nearest(name);
        error(
            name,
            nearest == null
                ? "unknown field (expected one of " + String.join(", ", known) + ")"
                : "unknown field (did you mean \"" + nearest + "\"?)");
      }
    }
  }

  private String nearest(String name) {
    String best = null;
    int bestDistance = name.length() < 5 ? 1 : 2;
    for (String candidate : known) {
      int d = distance(name.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
      if (d <= bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    return best;
  }

  /** Levenshtein distance. */
  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  /**
   * What kind of value it is, without the value: for where a mapping was expected, since what was
   * written instead (a URL with a password in it, a webhook with its token) may be a secret.
   */
  static String typeOf(JsonNode v) {
    if (v.isTextual()) {
      return "a string";
    }
    if (v.isNumber()) {
      return "a number";
    }
    if (v.isBoolean()) {
      return "a boolean";
    }
    return describe(v);
  }

  static String describe(JsonNode v) {
    if (v == null || v.isNull()) {
      return "nothing";
    }
    if (v.isArray()) {
      return "a list";
    }
    if (v.isObject()) {
      return "a mapping";
    }
    if (v.isTextual()) {
      String t = v.textValue();
      return "\"" + (t.length() > SHOWN_MAX ? t.substring(0, SHOWN_MAX - 3) + "..." : t) + "\"";
    }
    return v.asText();
  }
}
