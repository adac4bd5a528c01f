package io.durablerunbooks.backup;

import io.durablerunbooks.report.RunbookReport;
import io.durablerunbooks.runbook.RunbookWorkflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

@WorkflowInterface
public interface BackupWorkflow extends RunbookWorkflow {

  @WorkflowMethod
  RunbookReport run(BackupRequest request);
}
