package io.durablerunbooks.cli;

import picocli.CommandLine.Parameters;

/** The run a command is about, as {@code runbook start} printed it. */
final class WorkflowIdArg {

  @Parameters(index = "0", paramLabel = "ID", description = "Workflow id of the run, e.g. backup/local-sample.")
  String workflowId;
}
