package io.durablerunbooks.rollout;

import io.durablerunbooks.report.RunbookReport;
import io.durablerunbooks.runbook.RunbookWorkflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

@WorkflowInterface
public interface RolloutWorkflow extends RunbookWorkflow {

  @WorkflowMethod
  RunbookReport run(RolloutRequest request);
}
