package io.durablerunbooks.cli;

import io.durablerunbooks.report.Outcome;
import io.durablerunbooks.report.ReportRenderer;
import io.durablerunbooks.report.RunbookProgress;
import io.durablerunbooks.report.RunbookReport;
import io.durablerunbooks.runbook.Runbooks;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowException;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowStub;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "report",
    description = {
      "Print the report of a run, in Markdown or JSON.",
      "Steps, approvals, facts and outcome. A finished run's report is the one it wrote into its"
          + " history; a running run's is built from its progress query and marked as not final."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  runbook report backup/local-sample",
      "  runbook report restore/local-sample-restore --format json --output restore-report.json"
    })
final class ReportCommand implements Callable<Integer> {

  enum Format {
    md,
    json
  }

  @ParentCommand RunbookCommand root;

  @Mixin WorkflowIdArg target;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "md",
      description = "md or json (default ${DEFAULT-VALUE}).")
  Format format;

  @Option(
      names = "--output",
      paramLabel = "FILE",
      description = "Write the report to FILE instead of standard output.")
  Optional<Path> output;

  @Override
  public Integer call() {
    RunbookReport report;
    String note;
    try (TemporalConnection temporal = root.connect()) {
      WorkflowExecutionDescription description = temporal.run(target.workflowId, "").describe();
      WorkflowStub run = temporal.run(target.workflowId, description.getExecution().getRunId());
      if (description.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
        report = fromProgress(progress(run, "the run is still going"), description, Outcome.RUNNING, "");
        note = "not final: the run is still going; this is its progress so far";
      } else {
        RunResult result = RunResult.of(run);
        if (result.report().isPresent()) {
          report = result.report().get();
          note = "";
        } else {
          String ended = "the run ended " + result.outcome() + " (" + result.message() + ") without a report";
          report = fromProgress(progress(run, ended), description, result.outcome(), result.message());
          note = ended + "; this is built from its last progress";
        }
      }
    }
    String text = format == Format.json ? ReportRenderer.json(report) : ReportRenderer.markdown(report);
    if (!note.isEmpty()) {
      root.err().println("note: " + note);
    }
    if (output.isPresent()) {
      try {
        Files.writeString(output.get(), text);
      } catch (IOException e) {
        throw new CliException(
            ExitCodes.FAILED, "--output " + output.get() + ": cannot write it (" + e.getMessage() + ")");
      }
      root.err().println("wrote " + output.get());
    } else {
      root.out().print(text.endsWith("\n") ? text : text + "\n");
    }
    return ExitCodes.SUCCEEDED;
  }

  private RunbookProgress progress(WorkflowStub run, String situation) {
    try {
      return TemporalConnection.withDeadline(
          TemporalConnection.QUERY_TIMEOUT, () -> run.query(Runbooks.PROGRESS_QUERY, RunbookProgress.class));
    } catch (WorkflowException e) {
      String why =
          TemporalConnection.isDeadline(e)
              ? "no worker answered within " + Text.duration(TemporalConnection.QUERY_TIMEOUT)
              : ErrorMessages.failureMessage(e);
      throw new CliException(
          ExitCodes.FAILED,
          situation
              + " and its progress query did not answer ("
              + why
              + "): is a worker polling task queue "
              + root.settings().taskQueue()
              + "? runbook history "
              + target.workflowId
              + " works without one");
    }
  }

  static RunbookReport fromProgress(
      RunbookProgress p, WorkflowExecutionDescription description, Outcome outcome, String reason) {
    Instant closed = description.getCloseTime() == null ? Instant.EPOCH : description.getCloseTime();
    return new RunbookReport(
        p.kind(),
        p.name(),
        p.environment(),
        description.getExecution().getWorkflowId(),
        description.getExecution().getRunId(),
        p.initiator(),
        p.dryRun(),
        outcome,
        reason,
        description.getStartTime(),
        closed,
        p.steps(),
        p.approvals(),
        Map.of());
  }
}
