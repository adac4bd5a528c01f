package io.durablerunbooks.rollback;

import io.durablerunbooks.report.RunbookReport;
import io.durablerunbooks.runbook.RunbookWorkflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

@WorkflowInterface
public interface RollbackWorkflow extends RunbookWorkflow {

  @WorkflowMethod
  RunbookReport run(RollbackRequest request);
}
