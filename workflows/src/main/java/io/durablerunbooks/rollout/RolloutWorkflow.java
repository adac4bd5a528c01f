package io.durablerunbooks.rollout;

import io.durablerunbooks.report.RunbookReport;
import io.durablerunbooks.runbook.RunbookWorkflow;
import io.durablerunbooks.runbook.Runbooks;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

@WorkflowInterface
public interface RolloutWorkflow extends RunbookWorkflow {

  @WorkflowMethod
  RunbookReport run(RolloutRequest request);

  /**
   * Holds V2 at its weight: the guards keep watching (a breach still rolls back), the bake stops
   * and nothing is promoted until {@link #resume}. Refused at once, and never written to history,
   * when there is nothing to pause.
   */
  @UpdateMethod(name = Runbooks.PAUSE_UPDATE)
  PauseRecord pause(PauseRequest request);

  @UpdateValidatorMethod(updateName = Runbooks.PAUSE_UPDATE)
  void validatePause(PauseRequest request);

  /** Ends a pause: the bake runs on for what was left of it, then the rollout goes on. */
  @UpdateMethod(name = Runbooks.RESUME_UPDATE)
  PauseRecord resume(PauseRequest request);

  @UpdateValidatorMethod(updateName = Runbooks.RESUME_UPDATE)
  void validateResume(PauseRequest request);
}
