package io.durablerunbooks.runbook;

import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.failure.TimeoutFailure;

/** Turns the failure chain Temporal hands a workflow into one line a human can act on. */
public final class Failures {

  private Failures() {}

  /** "StepName: what went wrong", from the first step and the first application message. */
  public static String reason(Throwable failure) {
    String step = "";
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ActivityFailure a && step.isEmpty()) {
        step = a.getActivityType() + ": ";
      } else if (t instanceof ChildWorkflowFailure c && step.isEmpty()) {
        step = c.getWorkflowType() + ": ";
      } else if (t instanceof ApplicationFailure app) {
        return step + app.getOriginalMessage();
      } else if (t instanceof TimeoutFailure timeout) {
        return step + "timed out (" + timeout.getTimeoutType() + ")";
      } else if (t instanceof CanceledFailure) {
        return step + "cancelled";
      }
      if (t.getCause() == null) {
        return step
            + (t instanceof TemporalFailure tf ? tf.getOriginalMessage() : String.valueOf(t.getMessage()));
      }
    }
    return step;
  }

  /** The type of the first application failure in the chain, or an empty string. */
  public static String type(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ApplicationFailure app) {
        return app.getType();
      }
    }
    return "";
  }
}
