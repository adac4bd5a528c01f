package io.durablerunbooks.cutover;

import io.durablerunbooks.report.RunbookReport;
import io.durablerunbooks.runbook.RunbookWorkflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

@WorkflowInterface
public interface PostCutoverWatchWorkflow extends RunbookWorkflow {

  /** Samples for the watch's period and returns the 24-hour report. */
  @WorkflowMethod
  RunbookReport run(WatchRequest request);
}
