package io.durablerunbooks.cutover;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An application's KEY=value settings file, as text: which value a key has, and the same file
 * with one key's line rewritten and every other byte kept. The text holds the application's
 * secrets, so it stays in the activity: nothing here is logged or returned to a workflow.
 */
final class EnvFile {

  private final String text;

  EnvFile(String text) {
    this.text = text;
  }

  /** The key's value on its last line (the one a shell or dotenv reader ends with), unquoted. */
  Optional<String> value(String key) {
    Optional<String> found = Optional.empty();
    for (String line : text.split("\n", -1)) {
      String body = line.strip();
      if (body.startsWith("export ")) {
        body = body.substring("export ".length()).strip();
      }
      if (body.startsWith(key + "=")) {
        found = Optional.of(unquoted(body.substring(key.length() + 1).strip()));
      }
    }
    return found;
  }

  /** The file with the key's lines set to the value (added at the end when it has none). */
  EnvFile with(String key, String value) {
    List<String> out = new ArrayList<>();
    boolean replaced = false;
    String[] lines = text.split("\n", -1);
    for (String line : lines) {
      String body = line.strip();
      boolean exported = body.startsWith("export ");
      String bare = exported ? body.substring("export ".length()).strip() : body;
      if (bare.startsWith(key + "=")) {
        out.add((exported ? "export " : "") + key + "=" + value);
        replaced = true;
      } else {
        out.add(line);
      }
    }
    if (!replaced) {
      if (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
        out.set(out.size() - 1, key + "=" + value);
        out.add("");
      } else {
        out.add(key + "=" + value);
      }
    }
    return new EnvFile(String.join("\n", out));
  }

  String text() {
    return text;
  }

  private static String unquoted(String v) {
    if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
      return v.substring(1, v.length() - 1);
    }
    return v;
  }
}
