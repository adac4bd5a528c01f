package io.durablerunbooks.definition;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Applies {@code --set key=value} pairs to the YAML tree before it is validated, so an override is
 * checked exactly like the file's own value. Keys are dotted paths ({@code database.url},
 * {@code smoke.queries.0.sql}); a value is read as a YAML scalar, so {@code 3} is a number and
 * {@code true} a boolean; a list of words is written {@code alice,bob}.
 */
final class Overrides {

  private Overrides() {}

  static void apply(JsonNode tree, Map<String, String> overrides, ObjectMapper yaml, List<FieldError> errors) {
    overrides.forEach(
        (key, value) -> {
          List<String> path = Arrays.asList(key.split("\\.", -1));
          if (key.isBlank() || path.stream().anyMatch(String::isBlank)) {
            errors.add(new FieldError(key, "--set needs a dotted field path, like --set database.url=jdbc:postgresql://host/db"));
          } else if (!tree.isObject()) {
            errors.add(new FieldError(key, "--set cannot apply: the file is not a mapping of fields"));
          } else {
            set(tree, path, key, value, yaml, errors);
          }
        });
  }

  private static void set(
      JsonNode root, List<String> path, String key, String text, ObjectMapper yaml, List<FieldError> errors) {
    JsonNode current = root;
    for (int i = 0; i < path.size() - 1; i++) {
      JsonNode next = child(current, path.get(i));
      if (next == null && current.isObject()) {
        next = ((ObjectNode) current).putObject(path.get(i));
      }
      if (next == null) {
        String list = String.join(".", path.subList(0, i));
        errors.add(new FieldError(key, "--set can only go inside an existing item of the list " + list + ", e.g. " + list + ".0"));
        return;
      }
      if (!next.isContainerNode()) {
        String parent = String.join(".", path.subList(0, i + 1));
        errors.add(new FieldError(key, "--set cannot go inside " + parent + ": it holds " + Fields.describe(next) + ", not a mapping or a list"));
        return;
      }
      current = next;
    }
    String last = path.get(path.size() - 1);
    JsonNode existing = child(current, last);
    boolean wordList = (existing != null && existing.isArray()) || RunbookValidator.WORD_LISTS.contains(key);
    JsonNode value = wordList ? words(text, yaml) : scalar(text, yaml);
    if (current.isObject()) {
      ((ObjectNode) current).set(last, value);
    } else if (existing != null) {
      ((ArrayNode) current).set(Integer.parseInt(last), value);
    } else {
      errors.add(new FieldError(key, "--set can only replace an existing item of a list, and this one has " + current.size()));
    }
  }

  /** The child named by one path segment: a field, or a list index. */
  private static JsonNode child(JsonNode node, String segment) {
    if (node.isArray()) {
      return segment.chars().allMatch(Character::isDigit) && segment.length() < 10
          ? node.get(Integer.parseInt(segment))
          : null;
    }
    JsonNode child = node.get(segment);
    return child == null || child.isNull() ? null : child;
  }

  /** Text as YAML would read it unquoted, falling back to the text itself for anything but a scalar. */
  static JsonNode scalar(String text, ObjectMapper yaml) {
    if (text.isBlank()) {
      return TextNode.valueOf(text);
    }
    try {
      JsonNode node = yaml.readTree(text);
      return node != null && node.isValueNode() ? node : TextNode.valueOf(text);
    } catch (IOException e) {
      return TextNode.valueOf(text);
    }
  }

  private static JsonNode words(String text, ObjectMapper yaml) {
    ArrayNode list = JsonNodeFactory.instance.arrayNode();
    for (String word : text.split(",")) {
      if (!word.isBlank()) {
        list.add(scalar(word.strip(), yaml));
      }
    }
    return list;
  }
}
