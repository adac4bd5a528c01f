package io.durablerunbooks.cutover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.atLeastOnce;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import io.durablerunbooks.approval.ApprovalDecision;
import io.durablerunbooks.approval.Verdict;
import io.durablerunbooks.notify.NotifyActivities;
import io.durablerunbooks.report.Outcome;
import io.durablerunbooks.report.RunbookReport;
import io.durablerunbooks.runbook.Await;
import io.durablerunbooks.runbook.Fixtures;
import io.durablerunbooks.runbook.Histories;
import io.durablerunbooks.runbook.Reports;
import io.durablerunbooks.runbook.RunContext;
import io.durablerunbooks.runbook.RunbookHeader;
import io.durablerunbooks.runbook.RunbookKind;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The day after a cutover and the week after it, in skipped time. */
class PostCutoverWatchWorkflowTest {

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(PostCutoverWatchWorkflowImpl.class, MySqlRetentionWorkflowImpl.class)
          .setDoNotStart(true)
          .build();

  private static final WatchSample HEALTHY = new WatchSample(true, "HTTP 200", 20, 0, 35, List.of(), Map.of("items", 0.01));

  private final WatchActivities watch = mock(WatchActivities.class, withSettings().withoutAnnotations());
  private final CutoverActivities cutover = mock(CutoverActivities.class, withSettings().withoutAnnotations());
  private final NotifyActivities notifier = mock(NotifyActivities.class, withSettings().withoutAnnotations());

  private RunbookReport watchFor(TestWorkflowEnvironment env, Worker worker, String id) {
    worker.registerActivitiesImplementations(watch, notifier);
    env.start();
    CutoverSpec cutover = CutoverFixtures.spec(Fixtures.approvers("alice"), BackupCheck.none());
    RunbookHeader h = cutover.header();
    WatchSpec spec = new WatchSpec(new RunbookHeader(RunbookKind.CUTOVER_WATCH, h.name(), h.environment(), "", h.approval(),
        "https://hooks.example/cutover"), cutover.application(), cutover.data().target(), "public", List.of("items", "tags"),
        CutoverFixtures.WATCH, 40, "2026-12-01T10:10:00Z");
    PostCutoverWatchWorkflow workflow = env.getWorkflowClient().newWorkflowStub(
        PostCutoverWatchWorkflow.class, WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(worker.getTaskQueue()).build());
    WorkflowClient.start(workflow::run, new WatchRequest(new RunContext("cutover", false), spec, WatchState.start(env.currentTimeMillis())));
    return id.endsWith("fails") ? Reports.ofFailure(env, id) : Reports.of(env, id);
  }

  @Test
  void samplesEveryFiveMinutesForADayAcrossContinuedRunsAndReportsTheCriteria(TestWorkflowEnvironment env, Worker worker) {
    AtomicInteger sampled = new AtomicInteger();
    when(watch.sample(any())).thenAnswer(inv -> {
      sampled.incrementAndGet();
      return HEALTHY;
    });

    RunbookReport report = watchFor(env, worker, "cutover-watch-day");

    assertThat(report.outcome()).isEqualTo(Outcome.SUCCEEDED);
    assertThat(sampled.get()).as("24 h / 5 min").isEqualTo(288);
    assertThat(report.facts())
        .containsEntry("report.samples", "288")
        .containsEntry("report.incidents", "0")
        .containsEntry("report.uptime", "100.000 % (288 of 288 samples healthy; at least 99.900 % required)")
        .containsEntry("report.worstP95Millis", "35 (limit 60, baseline on MySQL 40)")
        .containsEntry("report.worstDeadRows", "1.00 % in items (limit 5.0 %)");
    assertThat(report.steps().get(0).detail()).as("the last run carries what the earlier ones saw").startsWith("288 samples, 288 healthy");
    verify(notifier, never()).notify(argThat(n -> n != null && n.event().equals("alert")));
  }

  @Test
  void eachBreachIsAnIncidentWithAnAlertAndTheReportFails(TestWorkflowEnvironment env, Worker worker) {
    AtomicInteger sampled = new AtomicInteger();
    when(watch.sample(any())).thenAnswer(inv -> switch (sampled.incrementAndGet()) {
      case 10 -> new WatchSample(true, "HTTP 200", 20, 3, 35, List.of(), Map.of());
      case 20 -> new WatchSample(true, "HTTP 200", 20, 0, 900, List.of("812.0 ms x40: SELECT * FROM items WHERE name LIKE $1"), Map.of());
      case 30 -> new WatchSample(false, "HTTP 503 in 3 ms", 20, 20, 5, List.of(), Map.of());
      default -> HEALTHY;
    });

    RunbookReport report = watchFor(env, worker, "cutover-watch-fails");

    assertThat(report.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(report.reason()).contains("uptime 99.653 % below 99.900 %", "4 incidents", "p95 up to 900 ms, above 60 ms");
    assertThat(report.facts().get("report.incident.1")).contains("error rate 15.0 % (3 of 20 requests) above 5.0 %");
    assertThat(report.facts().get("report.incident.2")).contains("p95 900 ms above 60 ms");
    assertThat(report.facts().get("report.incident.3")).contains("unhealthy: HTTP 503");
    assertThat(report.facts().get("report.incident.4")).as("the same sample: every request failed").contains("error rate 100.0 %");
    assertThat(report.facts()).containsEntry("report.slowStatement.1", "812.0 ms x40: SELECT * FROM items WHERE name LIKE $1");
    verify(notifier, times(4)).notify(argThat(n -> n != null && n.event().equals("alert")));
    Histories.recordIfAsked(env.getWorkflowClient(), "cutover-watch-fails");
  }

  @Test
  void mySqlStaysReadOnlyForTheRetentionThenItsDecommissionNeedsAGo(TestWorkflowEnvironment env, Worker worker) {
    when(cutover.listPostgresWrites(any(), any())).thenReturn(new ChangeInventory(true, "2026-12-01 10:10:00 UTC", Map.of("items", 5000L), List.of()));
    worker.registerActivitiesImplementations(cutover, notifier);
    env.start();
    CutoverSpec spec = CutoverFixtures.spec(Fixtures.approvers("alice"), BackupCheck.none());
    Instant switched = Instant.ofEpochMilli(env.currentTimeMillis());
    RetentionSpec retention = new RetentionSpec(spec.header().as(RunbookKind.MYSQL_RETENTION, spec.header().name()), spec,
        CutoverFixtures.PLAN, switched.toString());
    MySqlRetentionWorkflow workflow = env.getWorkflowClient().newWorkflowStub(
        MySqlRetentionWorkflow.class, WorkflowOptions.newBuilder().setWorkflowId("cutover-retention").setTaskQueue(worker.getTaskQueue()).build());
    WorkflowClient.start(workflow::run, new RetentionRequest(new RunContext("cutover", false), retention));

    env.sleep(Duration.ofDays(7).plusMinutes(1));
    Await.until("the decommission gate opens", () -> workflow.progress().gate().open());
    assertThat(env.currentTimeMillis() - switched.toEpochMilli()).as("not before the 7 days").isGreaterThanOrEqualTo(Duration.ofDays(7).toMillis());
    verify(cutover, never()).disarmChangeLog(any(), any());
    workflow.decide(new ApprovalDecision("alice", Verdict.GO, "PostgreSQL has been fine for a week"));

    RunbookReport report = Reports.of(env, "cutover-retention");

    assertThat(report.outcome()).isEqualTo(Outcome.SUCCEEDED);
    assertThat(report.facts()).containsEntry("postgresWritesSinceSwitch", "5000").containsKey("decommission");
    verify(cutover, atLeastOnce()).disarmChangeLog(any(), any());
    verify(cutover, never()).setMySqlWritable(any());
  }
}
