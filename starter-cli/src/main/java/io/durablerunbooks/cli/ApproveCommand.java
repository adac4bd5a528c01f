package io.durablerunbooks.cli;

import io.durablerunbooks.approval.ApprovalDecision;
import io.durablerunbooks.approval.ApprovalRecord;
import io.durablerunbooks.approval.Verdict;
import io.durablerunbooks.runbook.Runbooks;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "approve",
    description = {
      "Send GO to the open approval gate of a run.",
      "The workflow checks it at once: you must be a listed approver, not the initiator (unless the"
          + " runbook allows it), and the gate must be open. A refusal is printed and exits 2; an accepted"
          + " GO prints the decision as recorded."
    },
    footerHeading = "%nExample:%n",
    footer = {"  runbook approve restore/local-sample-restore --as alice --comment \"checked the manifest\""})
final class ApproveCommand implements Callable<Integer> {

  @ParentCommand RunbookCommand root;

  @Mixin WorkflowIdArg target;

  @Option(names = "--as", required = true, paramLabel = "USER", description = "Who approves.")
  String approver;

  @Option(names = "--comment", paramLabel = "TEXT", description = "Why; recorded with the decision.")
  String comment = "";

  @Override
  public Integer call() {
    return send(root, target.workflowId, new ApprovalDecision(approver.strip(), Verdict.GO, comment.strip()));
  }

  /** Sends the decision as the approval Update; the workflow's validator answers before anything is recorded. */
  static int send(RunbookCommand root, String workflowId, ApprovalDecision decision) {
    if (decision.approver().isEmpty()) {
      throw new CliException(ExitCodes.BAD_INPUT, "--as: who decides? got an empty name");
    }
    try (TemporalConnection temporal = root.connect()) {
      ApprovalRecord recorded =
          temporal.update(workflowId, Runbooks.APPROVAL_UPDATE, ApprovalRecord.class, decision, decision.verdict().toString());
      root.out().println("recorded: " + Text.approval(recorded));
      return recorded.accepted() ? ExitCodes.SUCCEEDED : ExitCodes.BAD_INPUT;
    }
  }
}
