package io.durablerunbooks.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "watch",
    description = {
      "Follow a run until it ends.",
      "Shows its steps with state and duration, and a banner while a gate waits for GO. Ends when the"
          + " run closes, with its summary; the exit code is the run's (see runbook --help)."
    },
    footerHeading = "%nExample:%n",
    footer = {
      "  runbook watch backup/local-sample",
      "On a terminal the screen is redrawn every second; in a pipe or a log, one line per change."
    })
final class WatchCommand implements Callable<Integer> {

  @ParentCommand RunbookCommand root;

  @Mixin WorkflowIdArg target;

  @Override
  public Integer call() {
    try (TemporalConnection temporal = root.connect()) {
      String runId = temporal.run(target.workflowId, "").describe().getExecution().getRunId();
      return new Watcher(temporal, root.out(), root.interactive()).watch(target.workflowId, runId);
    }
  }
}
