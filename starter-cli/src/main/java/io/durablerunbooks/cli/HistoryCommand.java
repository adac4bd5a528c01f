package io.durablerunbooks.cli;

import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.api.history.v1.HistoryEvent;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "history",
    description = {
      "Show the steps of a run as Temporal recorded them.",
      "Each step (activity) with its attempts, times, duration and result, retries shown; then the"
          + " approvals (signals, Updates), timers, cancellation and the end of the run."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  runbook history backup/local-sample",
      "  runbook history backup/local-sample --run 6f1c3c0e-4b0a-4d5e-9a55-1f2a3b4c5d6e"
    })
final class HistoryCommand implements Callable<Integer> {

  @ParentCommand RunbookCommand root;

  @Mixin WorkflowIdArg target;

  @Option(names = "--run", paramLabel = "RUN_ID", description = "A given run of that id (default: the latest).")
  Optional<String> runId;

  @Override
  public Integer call() {
    try (TemporalConnection temporal = root.connect()) {
      WorkflowExecutionDescription description = temporal.run(target.workflowId, runId.orElse("")).describe();
      String run = description.getExecution().getRunId();
      List<HistoryEvent> events = temporal.workflows().fetchHistory(target.workflowId, run).getEvents();
      PrintWriter out = root.out();
      out.println(
          target.workflowId
              + "  run "
              + run
              + "  "
              + description.getWorkflowType()
              + "  "
              + ListQuery.statusName(description.getStatus()));
      out.println("started " + Text.dateTime(description.getStartTime())
          + (description.getCloseTime() == null ? "" : ", closed " + Text.dateTime(description.getCloseTime())));
      out.println(root.uiLink(temporal.settings().namespace(), target.workflowId, run));
      out.println();
      out.print(
          HistoryTable.render(
              HistoryTable.steps(events, description.getRawDescription().getPendingActivitiesList()),
              HistoryTable.events(events),
              Instant.now()));
    }
    return ExitCodes.SUCCEEDED;
  }
}
