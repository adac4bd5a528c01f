package io.durablerunbooks.cli;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.durablerunbooks.approval.ApprovalDecision;
import io.durablerunbooks.approval.ApprovalRecord;
import io.durablerunbooks.runbook.Runbooks;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.common.v1.Payloads;
import io.temporal.api.enums.v1.PendingActivityState;
import io.temporal.api.enums.v1.RetryState;
import io.temporal.api.failure.v1.Failure;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.workflow.v1.PendingActivityInfo;
import io.temporal.common.converter.DataConverterException;
import io.temporal.common.converter.GlobalDataConverter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The steps of a run as Temporal recorded them: one row per activity (the step's name is its
 * activity type) or child workflow, with its attempts; and the events around them: signals,
 * Updates, timers, cancellation, the end.
 */
final class HistoryTable {

  /**
   * @param started start of the last attempt; {@link Instant#EPOCH} when none has started
   * @param closed {@link Instant#EPOCH} while the step is open
   */
  record StepRow(String name, int attempts, Instant scheduled, Instant started, Instant closed, String result) {}

  record EventRow(Instant at, String event, String detail) {}

  private HistoryTable() {}

  static List<StepRow> steps(List<HistoryEvent> history, List<PendingActivityInfo> pending) {
    Map<Long, Step> steps = new LinkedHashMap<>();
    for (HistoryEvent e : history) {
      Instant at = instant(e.getEventTime());
      switch (e.getEventType()) {
        case EVENT_TYPE_ACTIVITY_TASK_SCHEDULED -> {
          var a = e.getActivityTaskScheduledEventAttributes();
          steps.put(e.getEventId(), new Step(a.getActivityType().getName(), a.getActivityId(), at));
        }
        case EVENT_TYPE_ACTIVITY_TASK_STARTED -> {
          var a = e.getActivityTaskStartedEventAttributes();
          Step s = steps.get(a.getScheduledEventId());
          s.started = at;
          s.attempts = a.getAttempt();
          s.lastFailure = a.hasLastFailure() ? failure(a.getLastFailure()) : "";
          s.result = "running";
        }
        case EVENT_TYPE_ACTIVITY_TASK_COMPLETED ->
            steps.get(e.getActivityTaskCompletedEventAttributes().getScheduledEventId()).close(at, "completed");
        case EVENT_TYPE_ACTIVITY_TASK_FAILED -> {
          var a = e.getActivityTaskFailedEventAttributes();
          steps
              .get(a.getScheduledEventId())
              .close(at, "failed" + retry(a.getRetryState()) + ": " + failure(a.getFailure()));
        }
        case EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT -> {
          var a = e.getActivityTaskTimedOutEventAttributes();
          steps
              .get(a.getScheduledEventId())
              .close(at, "timed out" + retry(a.getRetryState()) + ": " + failure(a.getFailure()));
        }
        case EVENT_TYPE_ACTIVITY_TASK_CANCELED ->
            steps.get(e.getActivityTaskCanceledEventAttributes().getScheduledEventId()).close(at, "cancelled");
        case EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED -> {
          var a = e.getStartChildWorkflowExecutionInitiatedEventAttributes();
          Step s = new Step(a.getWorkflowType().getName(), "", at);
          s.result = "starting child " + a.getWorkflowId();
          steps.put(e.getEventId(), s);
        }
        case EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED -> {
          var a = e.getStartChildWorkflowExecutionFailedEventAttributes();
          steps.get(a.getInitiatedEventId()).close(at, "could not start: " + a.getCause());
        }
        case EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED -> {
          var a = e.getChildWorkflowExecutionStartedEventAttributes();
          Step s = steps.get(a.getInitiatedEventId());
          s.started = at;
          s.result = "running as child " + a.getWorkflowExecution().getWorkflowId();
        }
        case EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED ->
            steps.get(e.getChildWorkflowExecutionCompletedEventAttributes().getInitiatedEventId())
                .close(at, "completed");
        case EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED -> {
          var a = e.getChildWorkflowExecutionFailedEventAttributes();
          steps.get(a.getInitiatedEventId()).close(at, "failed: " + failure(a.getFailure()));
        }
        case EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED ->
            steps.get(e.getChildWorkflowExecutionCanceledEventAttributes().getInitiatedEventId())
                .close(at, "cancelled");
        case EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT ->
            steps.get(e.getChildWorkflowExecutionTimedOutEventAttributes().getInitiatedEventId())
                .close(at, "timed out");
        case EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED ->
            steps.get(e.getChildWorkflowExecutionTerminatedEventAttributes().getInitiatedEventId())
                .close(at, "terminated");
        default -> {}
      }
    }
    Map<String, PendingActivityInfo> pendingById =
        pending.stream().collect(Collectors.toMap(PendingActivityInfo::getActivityId, p -> p, (a, b) -> a));
    List<StepRow> rows = new ArrayList<>();
    for (Step s : steps.values()) {
      if (s.closed.equals(Instant.EPOCH) && pendingById.containsKey(s.activityId)) {
        s.pending(pendingById.get(s.activityId));
      }
      rows.add(s.row());
    }
    return rows;
  }

  static List<EventRow> events(List<HistoryEvent> history) {
    // The completed event does not repeat the Update's name; its id links it to the accepted one.
    Map<String, String> updateNames = new HashMap<>();
    List<EventRow> rows = new ArrayList<>();
    for (HistoryEvent e : history) {
      Instant at = instant(e.getEventTime());
      switch (e.getEventType()) {
        case EVENT_TYPE_WORKFLOW_EXECUTION_STARTED -> {
          var a = e.getWorkflowExecutionStartedEventAttributes();
          String what = a.getWorkflowType().getName() + " on task queue " + a.getTaskQueue().getName();
          rows.add(new EventRow(at, "workflow started", what));
        }
        case EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED -> {
          var a = e.getWorkflowExecutionSignaledEventAttributes();
          String detail =
              a.getSignalName().equals(Runbooks.APPROVAL_SIGNAL) ? decision(a.getInput()) : raw(a.getInput());
          rows.add(new EventRow(at, "signal " + a.getSignalName(), detail));
        }
        case EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED -> {
          var request = e.getWorkflowExecutionUpdateAcceptedEventAttributes().getAcceptedRequest();
          var input = request.getInput();
          updateNames.put(request.getMeta().getUpdateId(), input.getName());
          String detail =
              input.getName().equals(Runbooks.APPROVAL_UPDATE) ? decision(input.getArgs()) : raw(input.getArgs());
          rows.add(new EventRow(at, "update " + input.getName() + " accepted", detail));
        }
        case EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED -> {
          var a = e.getWorkflowExecutionUpdateCompletedEventAttributes();
          String name = updateNames.getOrDefault(a.getMeta().getUpdateId(), "");
          String detail;
          if (a.getOutcome().hasFailure()) {
            detail = "failed: " + failure(a.getOutcome().getFailure());
          } else if (name.equals(Runbooks.APPROVAL_UPDATE)) {
            detail =
                decode(a.getOutcome().getSuccess(), ApprovalRecord.class)
                    .map(Text::approval)
                    .orElse(raw(a.getOutcome().getSuccess()));
          } else {
            detail = raw(a.getOutcome().getSuccess());
          }
          rows.add(new EventRow(at, ("update " + name).strip() + " completed", detail));
        }
        case EVENT_TYPE_TIMER_STARTED -> {
          var a = e.getTimerStartedEventAttributes();
          com.google.protobuf.Duration d = a.getStartToFireTimeout();
          String after = Text.duration(Duration.ofSeconds(d.getSeconds(), d.getNanos()));
          rows.add(new EventRow(at, "timer started", "fires after " + after + " (timer " + a.getTimerId() + ")"));
        }
        case EVENT_TYPE_TIMER_FIRED -> {
          String timer = e.getTimerFiredEventAttributes().getTimerId();
          rows.add(new EventRow(at, "timer fired", "timer " + timer));
        }
        case EVENT_TYPE_TIMER_CANCELED -> {
          String timer = e.getTimerCanceledEventAttributes().getTimerId();
          rows.add(new EventRow(at, "timer cancelled", "timer " + timer));
        }
        case EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED -> {
          var a = e.getWorkflowExecutionCancelRequestedEventAttributes();
          rows.add(new EventRow(at, "cancel requested", a.getCause()));
        }
        case EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES -> {
          Map<String, Payload> fields =
              e.getUpsertWorkflowSearchAttributesEventAttributes().getSearchAttributes().getIndexedFieldsMap();
          String values =
              fields.entrySet().stream()
                  .map(f -> f.getKey() + "=" + unquote(raw(f.getValue())))
                  .sorted()
                  .collect(Collectors.joining(" "));
          rows.add(new EventRow(at, "search attributes", values));
        }
        case EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED -> rows.add(new EventRow(at, "workflow completed", ""));
        case EVENT_TYPE_WORKFLOW_EXECUTION_FAILED -> {
          Failure why = e.getWorkflowExecutionFailedEventAttributes().getFailure();
          rows.add(new EventRow(at, "workflow failed", failure(why)));
        }
        case EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED -> rows.add(new EventRow(at, "workflow cancelled", ""));
        case EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED -> {
          var a = e.getWorkflowExecutionTerminatedEventAttributes();
          String by = a.getIdentity().isEmpty() ? "" : " (by " + a.getIdentity() + ")";
          rows.add(new EventRow(at, "workflow terminated", a.getReason() + by));
        }
        case EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT -> rows.add(new EventRow(at, "workflow timed out", ""));
        case EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW -> {
          String next = e.getWorkflowExecutionContinuedAsNewEventAttributes().getNewExecutionRunId();
          rows.add(new EventRow(at, "continued as new", "run " + next));
        }
        default -> {}
      }
    }
    return rows;
  }

  /**
   * Both tables. DURATION runs from scheduled to closed, retries and their backoff included; an
   * open step's counts up to {@code now}.
   */
  static String render(List<StepRow> steps, List<EventRow> events, Instant now) {
    StringBuilder out = new StringBuilder();
    out.append("Steps (times UTC; DURATION from scheduled to closed, retries included):\n");
    if (steps.isEmpty()) {
      out.append("  (none)\n");
    } else {
      TextTable table = new TextTable("STEP", "ATTEMPTS", "SCHEDULED", "STARTED", "CLOSED", "DURATION", "RESULT");
      for (StepRow s : steps) {
        Instant end = s.closed().equals(Instant.EPOCH) ? now : s.closed();
        table.row(
            s.name(),
            s.attempts(),
            Text.clock(s.scheduled()),
            Text.clock(s.started()),
            Text.clock(s.closed()),
            Text.duration(Duration.between(s.scheduled(), end)),
            s.result());
      }
      out.append(table.render("  "));
    }
    out.append("\nEvents:\n");
    TextTable table = new TextTable("TIME", "EVENT", "DETAIL");
    events.forEach(e -> table.row(Text.clock(e.at()), e.event(), Text.firstLine(e.detail())));
    out.append(table.render("  "));
    return out.toString();
  }

  private static final class Step {
    final String name;
    final String activityId;
    final Instant scheduled;
    int attempts = 1;
    Instant started = Instant.EPOCH;
    Instant closed = Instant.EPOCH;
    String result = "scheduled";
    String lastFailure = "";

    Step(String name, String activityId, Instant scheduled) {
      this.name = name;
      this.activityId = activityId;
      this.scheduled = scheduled;
    }

    void close(Instant at, String outcome) {
      closed = at;
      result = outcome;
    }

    /** A step still open: Temporal writes its started event only when it closes, so ask the pending info. */
    void pending(PendingActivityInfo p) {
      attempts = Math.max(1, p.getAttempt());
      if (p.hasLastStartedTime()) {
        started = instant(p.getLastStartedTime());
      }
      lastFailure = p.hasLastFailure() ? failure(p.getLastFailure()) : "";
      result =
          p.getState() == PendingActivityState.PENDING_ACTIVITY_STATE_STARTED
              ? "running"
              : p.getState() == PendingActivityState.PENDING_ACTIVITY_STATE_CANCEL_REQUESTED
                  ? "cancel requested"
                  : p.hasNextAttemptScheduleTime() && p.getAttempt() > 1
                      ? "next attempt at " + Text.clock(instant(p.getNextAttemptScheduleTime()))
                      : "waiting for a worker";
    }

    StepRow row() {
      String retries =
          attempts > 1
              ? "; " + (attempts - 1) + (attempts == 2 ? " retry" : " retries")
                  + (lastFailure.isEmpty() ? "" : ", last failure: " + lastFailure)
              : "";
      return new StepRow(name, attempts, scheduled, started, closed, result + retries);
    }
  }

  private static String retry(RetryState state) {
    return switch (state) {
      case RETRY_STATE_NON_RETRYABLE_FAILURE -> " (not retryable)";
      case RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED -> " (out of attempts)";
      case RETRY_STATE_TIMEOUT -> " (out of time for retries)";
      default -> "";
    };
  }

  private static String failure(Failure f) {
    String type = f.hasApplicationFailureInfo() ? f.getApplicationFailureInfo().getType() : "";
    return Text.firstLine(f.getMessage()) + (type.isEmpty() ? "" : " [" + type + "]");
  }

  /** An approval as sent; a signal from the Temporal CLI may leave fields out. */
  private static String decision(Payloads sent) {
    return decode(sent, ApprovalDecision.class)
        .map(
            d -> {
              String comment = Objects.toString(d.comment(), "");
              return Objects.toString(d.approver(), "?")
                  + " "
                  + d.verdict()
                  + (comment.isEmpty() ? "" : ": \"" + comment + "\"");
            })
        .orElse(raw(sent));
  }

  private static <T> Optional<T> decode(Payloads payloads, Class<T> type) {
    if (payloads.getPayloadsCount() == 0) {
      return Optional.empty();
    }
    try {
      return Optional.ofNullable(GlobalDataConverter.get().fromPayloads(0, Optional.of(payloads), type, type));
    } catch (DataConverterException e) {
      return Optional.empty();
    }
  }

  private static String raw(Payloads payloads) {
    return payloads.getPayloadsList().stream().map(HistoryTable::raw).collect(Collectors.joining(", "));
  }

  private static String raw(Payload payload) {
    String encoding = payload.getMetadataOrDefault("encoding", ByteString.EMPTY).toStringUtf8();
    if (encoding.equals("binary/null")) {
      return "";
    }
    return encoding.startsWith("json/") ? payload.getData().toStringUtf8() : "(" + encoding + " data)";
  }

  private static String unquote(String json) {
    boolean quoted = json.length() >= 2 && json.startsWith("\"") && json.endsWith("\"");
    return quoted ? json.substring(1, json.length() - 1) : json;
  }

  private static Instant instant(Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }
}
