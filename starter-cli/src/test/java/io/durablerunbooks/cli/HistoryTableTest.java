package io.durablerunbooks.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.durablerunbooks.approval.ApprovalDecision;
import io.durablerunbooks.approval.ApprovalRecord;
import io.durablerunbooks.approval.Verdict;
import io.temporal.api.common.v1.ActivityType;
import io.temporal.api.common.v1.Payloads;
import io.temporal.api.common.v1.WorkflowType;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.PendingActivityState;
import io.temporal.api.enums.v1.RetryState;
import io.temporal.api.failure.v1.ApplicationFailureInfo;
import io.temporal.api.failure.v1.Failure;
import io.temporal.api.history.v1.ActivityTaskCompletedEventAttributes;
import io.temporal.api.history.v1.ActivityTaskFailedEventAttributes;
import io.temporal.api.history.v1.ActivityTaskScheduledEventAttributes;
import io.temporal.api.history.v1.ActivityTaskStartedEventAttributes;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.history.v1.TimerFiredEventAttributes;
import io.temporal.api.history.v1.TimerStartedEventAttributes;
import io.temporal.api.history.v1.WorkflowExecutionSignaledEventAttributes;
import io.temporal.api.history.v1.WorkflowExecutionStartedEventAttributes;
import io.temporal.api.history.v1.WorkflowExecutionUpdateAcceptedEventAttributes;
import io.temporal.api.history.v1.WorkflowExecutionUpdateCompletedEventAttributes;
import io.temporal.api.taskqueue.v1.TaskQueue;
import io.temporal.api.update.v1.Input;
import io.temporal.api.update.v1.Meta;
import io.temporal.api.update.v1.Outcome;
import io.temporal.api.update.v1.Request;
import io.temporal.api.workflow.v1.PendingActivityInfo;
import io.temporal.common.converter.GlobalDataConverter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HistoryTableTest {

  private static final Instant T0 = Instant.parse("2025-03-01T03:00:00Z");

  private final List<HistoryEvent> history = new ArrayList<>();

  private HistoryEvent add(int second, EventType type, java.util.function.Consumer<HistoryEvent.Builder> attributes) {
    HistoryEvent.Builder e =
        HistoryEvent.newBuilder()
            .setEventId(history.size() + 1)
            .setEventType(type)
            .setEventTime(Timestamp.newBuilder().setSeconds(T0.plusSeconds(second).getEpochSecond()));
    attributes.accept(e);
    HistoryEvent event = e.build();
    history.add(event);
    return event;
  }

  private long scheduled(int second, String step, String activityId) {
    return add(second, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, e -> e.setActivityTaskScheduledEventAttributes(
            ActivityTaskScheduledEventAttributes.newBuilder()
                .setActivityId(activityId)
                .setActivityType(ActivityType.newBuilder().setName(step))))
        .getEventId();
  }

  private void started(int second, long scheduledId, int attempt, String lastFailure) {
    add(second, EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED, e -> {
      ActivityTaskStartedEventAttributes.Builder a =
          ActivityTaskStartedEventAttributes.newBuilder().setScheduledEventId(scheduledId).setAttempt(attempt);
      if (!lastFailure.isEmpty()) {
        a.setLastFailure(Failure.newBuilder().setMessage(lastFailure));
      }
      e.setActivityTaskStartedEventAttributes(a);
    });
  }

  private void completed(int second, long scheduledId) {
    add(second, EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, e -> e.setActivityTaskCompletedEventAttributes(
        ActivityTaskCompletedEventAttributes.newBuilder().setScheduledEventId(scheduledId)));
  }

  private static Payloads payloads(Object value) {
    return GlobalDataConverter.get().toPayloads(value).orElseThrow();
  }

  @Test
  void eachStepIsARowWithItsAttemptsTimesAndResult() {
    add(0, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, e -> e.setWorkflowExecutionStartedEventAttributes(
        WorkflowExecutionStartedEventAttributes.newBuilder()
            .setWorkflowType(WorkflowType.newBuilder().setName("BackupWorkflow"))
            .setTaskQueue(TaskQueue.newBuilder().setName("runbooks"))));
    long check = scheduled(1, "CheckDatabase", "1");
    started(1, check, 1, "");
    completed(2, check);
    long dump = scheduled(2, "DumpAndUpload", "2");
    started(40, dump, 3, "connection reset by peer");
    completed(70, dump);

    List<HistoryTable.StepRow> steps = HistoryTable.steps(history, List.of());

    assertThat(steps).extracting(HistoryTable.StepRow::name).containsExactly("CheckDatabase", "DumpAndUpload");
    assertThat(steps.get(0).attempts()).isEqualTo(1);
    assertThat(steps.get(0).result()).isEqualTo("completed");
    HistoryTable.StepRow retried = steps.get(1);
    assertThat(retried.attempts()).isEqualTo(3);
    assertThat(retried.scheduled()).isEqualTo(T0.plusSeconds(2));
    assertThat(retried.started()).isEqualTo(T0.plusSeconds(40));
    assertThat(retried.closed()).isEqualTo(T0.plusSeconds(70));
    assertThat(retried.result()).isEqualTo("completed; 2 retries, last failure: connection reset by peer");

    String table = HistoryTable.render(steps, HistoryTable.events(history), T0.plusSeconds(80));
    assertThat(table)
        .containsPattern("DumpAndUpload\\s+3\\s+03:00:02\\s+03:00:40\\s+03:01:10\\s+1m 08s\\s+completed; 2 retries");
    assertThat(table).containsPattern("03:00:00\\s+workflow started\\s+BackupWorkflow on task queue runbooks");
  }

  @Test
  void aFailedStepShowsWhyAndWhetherItWasRetryable() {
    long check = scheduled(1, "CheckDatabase", "1");
    started(1, check, 1, "");
    add(2, EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED, e -> e.setActivityTaskFailedEventAttributes(
        ActivityTaskFailedEventAttributes.newBuilder()
            .setScheduledEventId(check)
            .setRetryState(RetryState.RETRY_STATE_NON_RETRYABLE_FAILURE)
            .setFailure(Failure.newBuilder()
                .setMessage("database.url: no database \"ordres\" on 127.0.0.1:15432\nat line 2")
                .setApplicationFailureInfo(ApplicationFailureInfo.newBuilder().setType("DatabaseNotFound")))));

    assertThat(HistoryTable.steps(history, List.of()).get(0).result())
        .isEqualTo(
            "failed (not retryable): database.url: no database \"ordres\" on 127.0.0.1:15432"
                + " [DatabaseNotFound]");
  }

  @Test
  void aStepStillRetryingIsReadFromThePendingActivity() {
    scheduled(1, "DumpAndUpload", "7");
    PendingActivityInfo pending =
        PendingActivityInfo.newBuilder()
            .setActivityId("7")
            .setState(PendingActivityState.PENDING_ACTIVITY_STATE_STARTED)
            .setAttempt(2)
            .setLastStartedTime(Timestamp.newBuilder().setSeconds(T0.plusSeconds(30).getEpochSecond()))
            .setLastFailure(Failure.newBuilder().setMessage("S3 503 Slow Down"))
            .build();

    HistoryTable.StepRow row = HistoryTable.steps(history, List.of(pending)).get(0);

    assertThat(row.attempts()).isEqualTo(2);
    assertThat(row.started()).isEqualTo(T0.plusSeconds(30));
    assertThat(row.closed()).isEqualTo(Instant.EPOCH);
    assertThat(row.result()).isEqualTo("running; 1 retry, last failure: S3 503 Slow Down");
  }

  @Test
  void approvalsAndTimersAreEventsInOrder() {
    add(5, EventType.EVENT_TYPE_TIMER_STARTED, e -> e.setTimerStartedEventAttributes(
        TimerStartedEventAttributes.newBuilder()
            .setTimerId("1")
            .setStartToFireTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(3600))));
    add(20, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED, e -> e.setWorkflowExecutionSignaledEventAttributes(
        WorkflowExecutionSignaledEventAttributes.newBuilder()
            .setSignalName("approval")
            .setInput(payloads(new ApprovalDecision("mallory", Verdict.GO, "")))));
    Meta update = Meta.newBuilder().setUpdateId("update-1").build();
    Payloads go = payloads(new ApprovalDecision("alice", Verdict.GO, "checked"));
    Input decide = Input.newBuilder().setName("decide").setArgs(go).build();
    add(30, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED, e -> e.setWorkflowExecutionUpdateAcceptedEventAttributes(
        WorkflowExecutionUpdateAcceptedEventAttributes.newBuilder()
            .setAcceptedRequest(Request.newBuilder().setMeta(update).setInput(decide))));
    ApprovalRecord record =
        new ApprovalRecord("swap", "alice", Verdict.GO, "checked", T0.plusSeconds(30), "update", true, "");
    add(30, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED, e -> e.setWorkflowExecutionUpdateCompletedEventAttributes(
        WorkflowExecutionUpdateCompletedEventAttributes.newBuilder()
            .setMeta(update)
            .setOutcome(Outcome.newBuilder().setSuccess(payloads(record)))));
    add(3605, EventType.EVENT_TYPE_TIMER_FIRED, e -> e.setTimerFiredEventAttributes(
        TimerFiredEventAttributes.newBuilder().setTimerId("1")));

    List<HistoryTable.EventRow> events = HistoryTable.events(history);

    assertThat(events).extracting(HistoryTable.EventRow::event)
        .containsExactly(
            "timer started", "signal approval", "update decide accepted", "update decide completed", "timer fired");
    assertThat(events).extracting(HistoryTable.EventRow::detail)
        .containsExactly(
            "fires after 1h 00m (timer 1)",
            "mallory GO",
            "alice GO: \"checked\"",
            "GO by alice at gate swap via update at 2025-03-01 03:00:30Z: \"checked\"",
            "timer 1");
  }
}
