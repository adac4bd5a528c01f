package io.durablerunbooks.definition;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Loads runbook files (YAML) into validated, typed definitions: a {@code BackupSpec},
 * {@code RestoreSpec}, {@code RestoreTestSpec}, {@code DeploySpec}, {@code RollbackSpec} or
 * {@code RolloutSpec}. Nothing runs from a file that does not pass; the format is described in
 * docs/runbook-files.md.
 */
public final class RunbookFiles {

  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory()).enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  /** A line whose value is a secret field's: a parser's complaint about it could quote the secret. */
  private static final Pattern SECRET_LINE =
      Pattern.compile("\\s*(-\\s*)?[\"']?(password|accessKeyId|secretAccessKey|webhook|privateKey|passphrase)[\"']?\\s*:.*");

  private RunbookFiles() {}

  /**
   * @param overrides {@code --set} pairs, dotted field path to value, applied before validation
   * @throws InvalidRunbookException naming every problem: unreadable file, malformed YAML, invalid
   *     fields
   */
  public static RunbookDefinition load(Path file, Map<String, String> overrides) {
    Objects.requireNonNull(overrides, "overrides");
    String source = file.toString();
    String yaml;
    try {
      yaml = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new InvalidRunbookException(source, List.of(new FieldError("", "no such file")));
    } catch (IOException e) {
      throw new InvalidRunbookException(
          source, List.of(new FieldError("", "cannot read the file: " + e.getMessage())));
    }
    return parse(yaml, source, overrides);
  }

  /**
   * @param sourceName names the text in error messages, e.g. its file name
   * @param overrides {@code --set} pairs, dotted field path to value, applied before validation
   * @throws InvalidRunbookException naming every problem found
   */
  public static RunbookDefinition parse(String yaml, String sourceName, Map<String, String> overrides) {
    Objects.requireNonNull(yaml, "yaml");
    Objects.requireNonNull(sourceName, "sourceName");
    Objects.requireNonNull(overrides, "overrides");
    JsonNode tree = read(yaml, sourceName);
    List<FieldError> errors = new ArrayList<>();
    Overrides.apply(tree, overrides, YAML, errors);
    RunbookDefinition definition = new RunbookValidator(errors).validate(tree);
    if (!errors.isEmpty()) {
      throw new InvalidRunbookException(sourceName, errors);
    }
    return definition;
  }

  private static JsonNode read(String yaml, String source) {
    try (JsonParser parser = YAML.createParser(yaml)) {
      JsonNode tree = YAML.readTree(parser);
      if (tree == null || tree.isMissingNode()) {
        throw invalid(source, "the file is empty; a runbook starts with kind: and name:");
      }
      if (parser.nextToken() != null) {
        throw invalid(source, "holds more than one YAML document ('---'); put one runbook per file");
      }
      return tree;
    } catch (JsonProcessingException e) {
      throw invalid(source, malformed(yaml, e));
    } catch (IOException e) {
      throw invalid(source, "cannot read the YAML: " + e.getMessage());
    }
  }

  private static String malformed(String yaml, JsonProcessingException e) {
    JsonLocation at = e.getLocation();
    if (at == null) {
      return "malformed YAML: " + problem(e);
    }
    String where = "malformed YAML at line " + at.getLineNr() + ", column " + at.getColumnNr();
    String[] lines = yaml.split("\r?\n", -1);
    int index = at.getLineNr() - 1;
    if (index >= 0 && index < lines.length && SECRET_LINE.matcher(lines[index]).matches()) {
      return where + ", in the value of a secret field (quote it, and make it a reference like ${env:NAME})";
    }
    return where + ": " + problem(e);
  }

  /** The parser's complaint without the snippet of the file it quotes (which may hold secrets). */
  private static String problem(JsonProcessingException e) {
    Throwable cause = e.getCause();
    if (cause instanceof org.yaml.snakeyaml.error.MarkedYAMLException marked && marked.getProblem() != null) {
      return marked.getProblem();
    }
    String message = e.getOriginalMessage();
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  private static InvalidRunbookException invalid(String source, String message) {
    return new InvalidRunbookException(source, List.of(new FieldError("", message)));
  }
}
