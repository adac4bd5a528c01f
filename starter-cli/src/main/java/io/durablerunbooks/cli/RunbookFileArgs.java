package io.durablerunbooks.cli;

import io.durablerunbooks.definition.RunbookDefinition;
import io.durablerunbooks.definition.RunbookFiles;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** A runbook file and the overrides given on the command line, shared by validate, start and schedule create. */
final class RunbookFileArgs {

  @Parameters(index = "0", paramLabel = "FILE", description = "The runbook file (YAML).")
  Path file;

  @Option(
      names = "--set",
      paramLabel = "FIELD=VALUE",
      description = "Override a field of the file by its dotted path, e.g. --set environment=staging. Repeatable.")
  Map<String, String> overrides = new LinkedHashMap<>();

  /** The validated definition; an invalid file throws before anything is sent anywhere. */
  RunbookDefinition load() {
    return RunbookFiles.load(file, overrides);
  }
}
