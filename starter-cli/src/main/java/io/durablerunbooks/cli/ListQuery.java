package io.durablerunbooks.cli;

import io.durablerunbooks.runbook.RunbookKind;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** The visibility query behind {@code runbook list}. */
final class ListQuery {

  /** Execution statuses as the CLI names them, and as Temporal's visibility queries do. */
  enum Status {
    RUNNING("running", "Running"),
    COMPLETED("completed", "Completed"),
    FAILED("failed", "Failed"),
    CANCELED("canceled", "Canceled"),
    TERMINATED("terminated", "Terminated"),
    TIMED_OUT("timed-out", "TimedOut"),
    CONTINUED_AS_NEW("continued-as-new", "ContinuedAsNew");

    final String id;
    final String visibilityName;

    Status(String id, String visibilityName) {
      this.id = id;
      this.visibilityName = visibilityName;
    }

    static Status fromId(String text) {
      String id = text.strip().toLowerCase(Locale.ROOT).replace("cancelled", "canceled");
      for (Status s : values()) {
        if (s.id.equals(id)) {
          return s;
        }
      }
      throw new IllegalArgumentException("unknown status '" + text + "', expected one of " + ids());
    }

    static String ids() {
      return Arrays.stream(values()).map(s -> s.id).collect(Collectors.joining(", "));
    }
  }

  private ListQuery() {}

  static String of(Optional<RunbookKind> kind, Optional<Status> status) {
    List<String> clauses = new ArrayList<>();
    clauses.add(
        "WorkflowType IN ("
            + Arrays.stream(RunbookKind.values())
                .map(k -> "'" + k.workflowType() + "'")
                .collect(Collectors.joining(", "))
            + ")");
    kind.ifPresent(k -> clauses.add(Launch.KIND.getName() + " = '" + k.id() + "'"));
    status.ifPresent(s -> clauses.add("ExecutionStatus = '" + s.visibilityName + "'"));
    return String.join(" AND ", clauses);
  }

  /** {@code WORKFLOW_EXECUTION_STATUS_TIMED_OUT} as {@code timed-out}. */
  static String statusName(WorkflowExecutionStatus status) {
    return status.name()
        .replace("WORKFLOW_EXECUTION_STATUS_", "")
        .toLowerCase(Locale.ROOT)
        .replace('_', '-');
  }
}
