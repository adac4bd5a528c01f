package io.durablerunbooks.cli;

import io.durablerunbooks.definition.RunbookDefinition;
import io.durablerunbooks.runbook.RunContext;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "start",
    description = {
      "Validate a runbook file and start it.",
      "The workflow id is <kind>/<name>, so one run of a runbook at a time. Nothing starts when the"
          + " file is invalid."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  runbook start runbooks/local-backup.yaml --watch",
      "  runbook start runbooks/local-restore.yaml --dry-run --as alice",
      "With --watch the exit code is the run's (see runbook --help)."
    })
final class StartCommand implements Callable<Integer> {

  @ParentCommand RunbookCommand root;

  @Mixin RunbookFileArgs runbook;

  @Option(names = "--dry-run", description = "Check and plan every step, change nothing.")
  boolean dryRun;

  @Option(names = "--watch", description = "Follow the run until it ends, as 'runbook watch' does.")
  boolean watch;

  @Option(
      names = "--as",
      paramLabel = "USER",
      description = "Who starts the run (default: $RUNBOOK_USER, else the OS user).")
  Optional<String> as;

  @Override
  public Integer call() {
    RunbookDefinition definition = runbook.load();
    String initiator = root.initiator(as);
    String workflowId = definition.header().workflowId();
    WorkflowOptions options =
        Launch.options(definition, initiator, root.settings().taskQueue())
            .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
            .setWorkflowIdConflictPolicy(WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_FAIL)
            .build();
    try (TemporalConnection temporal = root.connect()) {
      WorkflowExecution execution;
      try {
        execution =
            temporal
                .workflows()
                .newUntypedWorkflowStub(Launch.workflowType(definition), options)
                .start(Launch.request(definition, new RunContext(initiator, dryRun)));
      } catch (WorkflowExecutionAlreadyStarted e) {
        throw new CliException(ExitCodes.FAILED, "already running: runbook watch " + workflowId);
      }
      PrintWriter out = root.out();
      out.println(
          "started " + workflowId + (dryRun ? " (dry run)" : "") + " as " + initiator);
      out.println("  run id:  " + execution.getRunId());
      out.println(
          "  UI:      "
              + root.uiLink(temporal.settings().namespace(), workflowId, execution.getRunId()));
      out.println("  follow:  runbook watch " + workflowId);
      out.flush();
      if (!watch) {
        return ExitCodes.SUCCEEDED;
      }
      return new Watcher(temporal, out, root.interactive())
          .watch(workflowId, execution.getRunId());
    }
  }
}
