package io.durablerunbooks.deploy;

import io.durablerunbooks.report.RunbookReport;
import io.durablerunbooks.runbook.RunbookWorkflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

@WorkflowInterface
public interface DeployWorkflow extends RunbookWorkflow {

  @WorkflowMethod
  RunbookReport run(DeployRequest request);
}
