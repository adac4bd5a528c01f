package io.durablerunbooks.cli;

import io.durablerunbooks.rollout.PauseRequest;
import io.durablerunbooks.runbook.Runbooks;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "resume",
    description = {
      "Resume a paused rollout.",
      "The bake of the step runs on for what was left of it, then the rollout promotes as usual. A"
          + " rollout that is not paused refuses at once: the reason is printed and the exit code is 2."
    },
    footerHeading = "%nExample:%n",
    footer = {"  runbook resume rollout/shop-v2 --as alice --comment \"dashboards fine\""})
final class ResumeCommand implements Callable<Integer> {

  @ParentCommand RunbookCommand root;

  @Mixin WorkflowIdArg target;

  @Option(names = "--as", required = true, paramLabel = "USER", description = "Who resumes.")
  String by;

  @Option(names = "--comment", paramLabel = "TEXT", description = "Why; recorded in the report.")
  String comment = "";

  @Override
  public Integer call() {
    return PauseCommand.send(root, target.workflowId, Runbooks.RESUME_UPDATE, new PauseRequest(by.strip(), comment.strip()));
  }
}
