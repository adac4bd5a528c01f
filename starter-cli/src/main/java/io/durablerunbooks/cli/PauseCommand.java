package io.durablerunbooks.cli;

import io.durablerunbooks.rollout.PauseRecord;
import io.durablerunbooks.rollout.PauseRequest;
import io.durablerunbooks.runbook.Runbooks;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "pause",
    description = {
      "Pause a rollout: V2 keeps its weight and nothing is promoted until runbook resume.",
      "The guards keep watching while paused: a breach still puts all traffic back on V1. The bake's"
          + " clock stops, and runs on for what was left of it after the resume. The workflow answers at"
          + " once: a refusal (no traffic shifted yet, a promotion waiting for its GO, already paused,"
          + " finished or rolling back) is printed and exits 2."
    },
    footerHeading = "%nExample:%n",
    footer = {"  runbook pause rollout/shop-v2 --as alice --comment \"checking the dashboards\""})
final class PauseCommand implements Callable<Integer> {

  @ParentCommand RunbookCommand root;

  @Mixin WorkflowIdArg target;

  @Option(names = "--as", required = true, paramLabel = "USER", description = "Who pauses.")
  String by;

  @Option(names = "--comment", paramLabel = "TEXT", description = "Why; recorded in the report.")
  String comment = "";

  @Override
  public Integer call() {
    return send(root, target.workflowId, Runbooks.PAUSE_UPDATE, new PauseRequest(by.strip(), comment.strip()));
  }

  /** Sends the pause or resume Update; the rollout's validator answers before anything is recorded. */
  static int send(RunbookCommand root, String workflowId, String update, PauseRequest request) {
    if (request.by().isEmpty()) {
      throw new CliException(ExitCodes.BAD_INPUT, "--as: who " + update + "s? got an empty name");
    }
    try (TemporalConnection temporal = root.connect()) {
      PauseRecord recorded = temporal.update(workflowId, update, PauseRecord.class, request, update);
      PrintWriter out = root.out();
      out.println(Text.pause(recorded));
      if (recorded.paused()) {
        out.println("  V2 stays at " + recorded.weight() + " %, the guards keep watching, the bake waits");
        out.println("  resume:  runbook resume " + workflowId + " --as USER");
      } else {
        out.println("  the bake runs on for what was left of it");
        out.println("  follow:  runbook watch " + workflowId);
      }
      return ExitCodes.SUCCEEDED;
    }
  }
}
