package io.durablerunbooks.migrate;

import io.durablerunbooks.report.RunbookReport;
import io.durablerunbooks.runbook.RunbookWorkflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

@WorkflowInterface
public interface MigrateDataWorkflow extends RunbookWorkflow {

  @WorkflowMethod
  RunbookReport run(MigrateRequest request);
}
