package io.durablerunbooks.cli;

import io.durablerunbooks.definition.InvalidRunbookException;
import io.durablerunbooks.runbook.Runbooks;
import io.grpc.StatusRuntimeException;
import io.temporal.client.WorkflowException;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowQueryException;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.failure.TemporalFailure;
import java.util.Optional;

/** Turns whatever went wrong into one line for a human and the exit code that goes with it. */
final class ErrorMessages {

  record Problem(int exitCode, String message) {}

  private ErrorMessages() {}

  static String unreachable(String address) {
    return "cannot reach Temporal at "
        + address
        + " (TEMPORAL_ADDRESS): start it with scripts/stack.sh up, or run 'runbook dev'";
  }

  static Problem describe(Throwable e, String address) {
    if (e instanceof CliException c) {
      return new Problem(c.exitCode(), c.getMessage());
    }
    if (e instanceof InvalidRunbookException) {
      return new Problem(ExitCodes.BAD_INPUT, e.getMessage());
    }
    if (e instanceof WorkflowNotFoundException n) {
      return new Problem(
          ExitCodes.BAD_INPUT,
          "no workflow "
              + n.getExecution().getWorkflowId()
              + " (or it is no longer running): runbook list shows the runs");
    }
    if (e instanceof WorkflowUpdateException u) {
      return new Problem(ExitCodes.BAD_INPUT, "refused: " + failureMessage(u.getCause()));
    }
    Optional<StatusRuntimeException> grpc = grpcCause(e);
    if (grpc.isPresent()) {
      return fromStatus(grpc.get(), address);
    }
    if (e instanceof WorkflowQueryException q) {
      return new Problem(ExitCodes.FAILED, "the progress query failed: " + failureMessage(q.getCause()));
    }
    if (e instanceof IllegalArgumentException) {
      return new Problem(ExitCodes.BAD_INPUT, e.getMessage());
    }
    return new Problem(ExitCodes.FAILED, e.getMessage() == null ? e.toString() : e.getMessage());
  }

  private static Problem fromStatus(StatusRuntimeException s, String address) {
    String description = s.getStatus().getDescription() == null ? "" : s.getStatus().getDescription();
    return switch (s.getStatus().getCode()) {
      case UNAVAILABLE -> new Problem(ExitCodes.FAILED, unreachable(address));
      case DEADLINE_EXCEEDED -> new Problem(
          ExitCodes.FAILED,
          "Temporal at " + address + " did not answer in time (" + description + "): queries and approvals need a"
              + " worker polling the task queue (RUNBOOKS_TASK_QUEUE, default " + Runbooks.TASK_QUEUE + "); is one running?");
      case UNIMPLEMENTED -> new Problem(
          ExitCodes.FAILED,
          "the Temporal server at " + address + " does not support this (" + description + "): the Java test server"
              + " of 'runbook dev' has no Schedules and no list queries; use scripts/stack.sh up");
      case INVALID_ARGUMENT -> new Problem(ExitCodes.BAD_INPUT, "Temporal refused the request: " + description);
      case NOT_FOUND -> new Problem(ExitCodes.BAD_INPUT, "not found: " + description);
      case ALREADY_EXISTS -> new Problem(ExitCodes.BAD_INPUT, "already exists: " + description);
      case PERMISSION_DENIED, UNAUTHENTICATED -> new Problem(
          ExitCodes.FAILED,
          "Temporal at " + address + " refused access (" + description + "): check TEMPORAL_API_KEY,"
              + " TEMPORAL_TLS_CERT/KEY/CA and TEMPORAL_NAMESPACE");
      default -> new Problem(
          ExitCodes.FAILED, "Temporal at " + address + ": " + s.getStatus().getCode() + " " + description);
    };
  }

  private static Optional<StatusRuntimeException> grpcCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof StatusRuntimeException s) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  /** The message a workflow or its validator wrote, without Temporal's decorations. */
  static String failureMessage(Throwable failure) {
    if (failure instanceof TemporalFailure t) {
      return t.getOriginalMessage();
    }
    if (failure instanceof WorkflowException w && w.getCause() != null) {
      return failureMessage(w.getCause());
    }
    return failure == null ? "no reason given" : String.valueOf(failure.getMessage());
  }
}
