package io.durablerunbooks.runbook;

import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.durablerunbooks.report.RunbookReport;
import io.durablerunbooks.report.StepRecord;
import io.temporal.client.WorkflowFailedException;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import java.util.List;

/** The report a test run ended with, whether it succeeded or failed. */
public final class Reports {

  private Reports() {}

  /** Waits for the run and returns its report; fails the test if the run failed. */
  public static RunbookReport of(TestWorkflowEnvironment env, String workflowId) {
    return env.getWorkflowClient().newUntypedWorkflowStub(workflowId).getResult(RunbookReport.class);
  }

  /** Waits for a run expected to fail and returns the report its failure carries. */
  public static RunbookReport ofFailure(TestWorkflowEnvironment env, String workflowId) {
    WorkflowFailedException failed = catchThrowableOfType(WorkflowFailedException.class, () -> of(env, workflowId));
    return ((ApplicationFailure) failed.getCause()).getDetails().get(RunbookReport.class);
  }

  public static List<String> stepNames(RunbookReport report) {
    return report.steps().stream().map(StepRecord::name).toList();
  }
}
