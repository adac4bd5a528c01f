package io.durablerunbooks.cli;

import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowStub;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "cancel",
    description = {
      "Ask a run to stop.",
      "The workflow undoes what it must (e.g. discards a half-stored backup) and ends as CANCELLED;"
          + " follow it with runbook watch."
    },
    footerHeading = "%nExample:%n",
    footer = {"  runbook cancel backup/local-sample --reason \"maintenance window over\""})
final class CancelCommand implements Callable<Integer> {

  @ParentCommand RunbookCommand root;

  @Mixin WorkflowIdArg target;

  @Option(names = "--reason", paramLabel = "TEXT", description = "Why; recorded in the history.")
  Optional<String> reason;

  @Option(
      names = "--as",
      paramLabel = "USER",
      description = "Who cancels (default: $RUNBOOK_USER, else the OS user).")
  Optional<String> as;

  @Override
  public Integer call() {
    String who = root.initiator(as);
    String why = "cancelled by " + who + reason.map(r -> ": " + r).orElse("");
    try (TemporalConnection temporal = root.connect()) {
      WorkflowStub run = temporal.run(target.workflowId, "");
      // Temporal takes a cancellation of a closed run silently; say so instead.
      WorkflowExecutionStatus status = run.describe().getStatus();
      if (status != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
        throw new CliException(
            ExitCodes.BAD_INPUT,
            target.workflowId + " is not running (" + ListQuery.statusName(status) + "): nothing to cancel");
      }
      run.cancel(why);
    }
    root.out().println("cancellation requested for " + target.workflowId + " (" + why + ")");
    root.out().println("  follow:  runbook watch " + target.workflowId);
    return ExitCodes.SUCCEEDED;
  }
}
