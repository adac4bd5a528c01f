package io.durablerunbooks.restore;

import io.durablerunbooks.report.RunbookReport;
import io.durablerunbooks.runbook.RunbookWorkflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

@WorkflowInterface
public interface RestoreWorkflow extends RunbookWorkflow {

  @WorkflowMethod
  RunbookReport run(RestoreRequest request);
}
