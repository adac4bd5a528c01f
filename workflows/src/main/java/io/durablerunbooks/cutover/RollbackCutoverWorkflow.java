package io.durablerunbooks.cutover;

import io.durablerunbooks.report.RunbookReport;
import io.durablerunbooks.runbook.RunbookWorkflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

@WorkflowInterface
public interface RollbackCutoverWorkflow extends RunbookWorkflow {

  @WorkflowMethod
  RunbookReport run(RollbackCutoverRequest request);
}
