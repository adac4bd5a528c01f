package io.durablerunbooks.restoretest;

import io.durablerunbooks.report.RunbookReport;
import io.durablerunbooks.runbook.RunbookWorkflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

@WorkflowInterface
public interface RestoreTestWorkflow extends RunbookWorkflow {

  @WorkflowMethod
  RunbookReport run(RestoreTestRequest request);
}
