package io.durablerunbooks.cli;

import io.durablerunbooks.runbook.RunbookKind;
import io.temporal.client.WorkflowExecutionMetadata;
import io.temporal.common.SearchAttributeKey;
import io.temporal.common.SearchAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.TypeConversionException;

@Command(
    name = "list",
    description = {
      "List runs, newest first.",
      "Reads Temporal's visibility store (search attributes RunbookKind, RunbookName,"
          + " RunbookEnvironment, RunbookOutcome): needs the Temporal server, not 'runbook dev'."
    },
    footerHeading = "%nExamples:%n",
    footer = {"  runbook list --kind backup --status failed", "  runbook list --status running --limit 5"})
final class ListCommand implements Callable<Integer> {

  @ParentCommand RunbookCommand root;

  @Option(
      names = "--kind",
      paramLabel = "KIND",
      converter = KindConverter.class,
      description = "backup, restore, restore-test, deploy, rollback or rollout.")
  Optional<RunbookKind> kind;

  @Option(
      names = "--status",
      paramLabel = "STATUS",
      converter = StatusConverter.class,
      description = "running, completed, failed, canceled, terminated, timed-out or continued-as-new.")
  Optional<ListQuery.Status> status;

  @Option(
      names = "--limit",
      paramLabel = "N",
      defaultValue = "20",
      description = "At most N runs (default ${DEFAULT-VALUE}).")
  int limit;

  @Override
  public Integer call() {
    if (limit < 1) {
      throw new CliException(ExitCodes.BAD_INPUT, "--limit: expected a number of runs of 1 or more, got " + limit);
    }
    String query = ListQuery.of(kind, status);
    Instant now = Instant.now();
    try (TemporalConnection temporal = root.connect()) {
      List<WorkflowExecutionMetadata> runs =
          temporal.workflows().listExecutions(query).limit(limit).toList();
      if (runs.isEmpty()) {
        root.out().println("no runs match " + query);
        return ExitCodes.SUCCEEDED;
      }
      TextTable table =
          new TextTable("WORKFLOW ID", "KIND", "NAME", "ENV", "STATUS", "OUTCOME", "STARTED", "DURATION");
      for (WorkflowExecutionMetadata run : runs) {
        SearchAttributes attributes = run.getTypedSearchAttributes();
        Instant end = run.getCloseTime() == null ? now : run.getCloseTime();
        table.row(
            run.getExecution().getWorkflowId(),
            attribute(attributes, Launch.KIND),
            attribute(attributes, Launch.NAME),
            attribute(attributes, Launch.ENVIRONMENT),
            ListQuery.statusName(run.getStatus()),
            attribute(attributes, Launch.OUTCOME),
            Text.dateTime(run.getStartTime()),
            Text.duration(Duration.between(run.getStartTime(), end)));
      }
      root.out().print(table.render(""));
    }
    return ExitCodes.SUCCEEDED;
  }

  private static String attribute(SearchAttributes attributes, SearchAttributeKey<String> key) {
    String value = attributes.get(key);
    return value == null ? Text.NONE : value;
  }

  static final class KindConverter implements ITypeConverter<RunbookKind> {
    @Override
    public RunbookKind convert(String value) {
      try {
        return RunbookKind.fromId(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  static final class StatusConverter implements ITypeConverter<ListQuery.Status> {
    @Override
    public ListQuery.Status convert(String value) {
      try {
        return ListQuery.Status.fromId(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
