package io.durablerunbooks.cli;

import io.durablerunbooks.approval.ApprovalDecision;
import io.durablerunbooks.approval.Verdict;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    name = "reject",
    description = {
      "Send NO-GO to the open approval gate of a run.",
      "The run stops without changing anything further. Same checks as approve; a NO-GO must say why."
    },
    footerHeading = "%nExample:%n",
    footer = {"  runbook reject restore/local-sample-restore --as bob --comment \"wrong backup\""})
final class RejectCommand implements Callable<Integer> {

  @ParentCommand RunbookCommand root;

  @Spec CommandSpec spec;

  @Mixin WorkflowIdArg target;

  @Option(names = "--as", required = true, paramLabel = "USER", description = "Who rejects.")
  String approver;

  @Option(names = "--comment", required = true, paramLabel = "TEXT", description = "Why; recorded with the decision.")
  String comment;

  @Override
  public Integer call() {
    if (comment.isBlank()) {
      throw new ParameterException(spec.commandLine(), "--comment: a NO-GO must say why, got an empty comment");
    }
    ApprovalDecision decision = new ApprovalDecision(approver.strip(), Verdict.NO_GO, comment.strip());
    return ApproveCommand.send(root, target.workflowId, decision);
  }
}
