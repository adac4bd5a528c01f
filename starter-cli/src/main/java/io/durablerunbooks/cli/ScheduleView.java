package io.durablerunbooks.cli;

import io.temporal.client.schedules.Schedule;
import io.temporal.client.schedules.ScheduleActionExecution;
import io.temporal.client.schedules.ScheduleActionExecutionStartWorkflow;
import io.temporal.client.schedules.ScheduleActionResult;
import io.temporal.client.schedules.ScheduleActionStartWorkflow;
import io.temporal.client.schedules.ScheduleCalendarSpec;
import io.temporal.client.schedules.ScheduleDescription;
import io.temporal.client.schedules.ScheduleInfo;
import io.temporal.client.schedules.ScheduleIntervalSpec;
import io.temporal.client.schedules.ScheduleRange;
import io.temporal.client.schedules.ScheduleSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/** How {@code runbook schedule} shows a Temporal Schedule. */
final class ScheduleView {

  private static final int NEXT_RUNS = 5;

  private ScheduleView() {}

  /**
   * When a spec fires, one entry per cron expression, interval or calendar. Temporal keeps a cron
   * expression it was given as a calendar, so a described schedule shows calendars.
   */
  static List<String> spec(ScheduleSpec spec) {
    List<String> lines = new ArrayList<>();
    // A spec built in this process has null for the lists it was not given.
    orEmpty(spec.getCronExpressions()).forEach(cron -> lines.add("cron " + cron));
    for (ScheduleIntervalSpec interval : orEmpty(spec.getIntervals())) {
      Duration offset = interval.getOffset() == null ? Duration.ZERO : interval.getOffset();
      lines.add(
          "every "
              + Text.duration(interval.getEvery())
              + (offset.isZero() ? "" : " offset " + Text.duration(offset)));
    }
    orEmpty(spec.getCalendars()).forEach(c -> lines.add(calendar(c)));
    if (spec.getTimeZoneName() != null && !spec.getTimeZoneName().isEmpty()) {
      lines.add("time zone " + spec.getTimeZoneName());
    }
    return lines;
  }

  private static <T> List<T> orEmpty(List<T> list) {
    return Objects.requireNonNullElse(list, List.of());
  }

  /** A calendar as the cron expression it stands for: {@code cron 0 3 * * *}. */
  static String calendar(ScheduleCalendarSpec c) {
    String cron =
        String.join(
            " ",
            field(c.getMinutes(), 0, 59, "0"),
            field(c.getHour(), 0, 23, "0"),
            field(c.getDayOfMonth(), 1, 31, "*"),
            field(c.getMonth(), 1, 12, "*"),
            field(c.getDayOfWeek(), 0, 6, "*"));
    String seconds = field(c.getSeconds(), 0, 59, "0");
    String year = field(c.getYear(), 0, 0, "*");
    return "cron "
        + cron
        + (seconds.equals("0") ? "" : " at second " + seconds)
        + (year.equals("*") ? "" : " in " + year)
        + (c.getComment() == null || c.getComment().isEmpty() ? "" : " (" + c.getComment() + ")");
  }

  /** One cron field; a range covering {@code min..max} is {@code *}. */
  private static String field(List<ScheduleRange> ranges, int min, int max, String whenEmpty) {
    if (ranges == null || ranges.isEmpty()) {
      return whenEmpty;
    }
    return ranges.stream()
        .map(
            r -> {
              int end = Math.max(r.getStart(), r.getEnd());
              String text =
                  r.getStart() == min && end == max && max > min
                      ? "*"
                      : end > r.getStart() ? r.getStart() + "-" + end : String.valueOf(r.getStart());
              return r.getStep() > 1 ? text + "/" + r.getStep() : text;
            })
        .collect(Collectors.joining(","));
  }

  static String describe(ScheduleDescription d) {
    Schedule s = d.getSchedule();
    ScheduleInfo info = d.getInfo();
    StringBuilder out = new StringBuilder();
    out.append("schedule ").append(d.getId()).append('\n');
    if (s.getAction() instanceof ScheduleActionStartWorkflow start) {
      out.append("  action:     start ")
          .append(start.getWorkflowType())
          .append(" as ")
          .append(start.getOptions().getWorkflowId())
          .append("-<time> on task queue ")
          .append(start.getOptions().getTaskQueue())
          .append('\n');
    }
    List<String> when = spec(s.getSpec());
    for (int i = 0; i < when.size(); i++) {
      out.append(i == 0 ? "  when:       " : "              ").append(when.get(i)).append('\n');
    }
    if (s.getPolicy() != null) {
      out.append("  overlap:    ")
          .append(s.getPolicy().getOverlap().name().replace("SCHEDULE_OVERLAP_POLICY_", ""))
          .append(", catch-up window ")
          .append(
              s.getPolicy().getCatchupWindow() == null
                  ? "server default"
                  : Text.duration(s.getPolicy().getCatchupWindow()))
          .append('\n');
    }
    if (s.getState() != null) {
      out.append("  state:      ")
          .append(s.getState().isPaused() ? "PAUSED" : "active")
          .append(Objects.toString(s.getState().getNote(), "").isEmpty() ? "" : " (" + s.getState().getNote() + ")")
          .append('\n');
    }
    out.append("  created:    ").append(Text.dateTime(info.getCreatedAt())).append('\n');
    out.append(
        String.format(
            Locale.ROOT,
            "  actions:    %d started, %d missed the catch-up window, %d skipped (overlap)%n",
            info.getNumActions(),
            info.getNumActionsMissedCatchupWindow(),
            info.getNumActionsSkippedOverlap()));
    out.append("  next runs:  ")
        .append(
            info.getNextActionTimes().isEmpty()
                ? "none"
                : info.getNextActionTimes().stream()
                    .limit(NEXT_RUNS)
                    .map(Text::dateTime)
                    .collect(Collectors.joining(", ")))
        .append('\n');
    if (!info.getRunningActions().isEmpty()) {
      out.append("  running:    ")
          .append(info.getRunningActions().stream().map(ScheduleView::workflowId).collect(Collectors.joining(", ")))
          .append('\n');
    }
    out.append("\nRecent actions:\n");
    if (info.getRecentActions().isEmpty()) {
      out.append("  (none yet)\n");
    } else {
      TextTable table = new TextTable("SCHEDULED", "STARTED", "WORKFLOW ID", "RUN ID");
      for (ScheduleActionResult r : info.getRecentActions()) {
        table.row(
            Text.dateTime(r.getScheduledAt()),
            Text.dateTime(r.getStartedAt()),
            workflowId(r.getAction()),
            runId(r.getAction()));
      }
      out.append(table.render("  "));
    }
    return out.toString();
  }

  /** The most recent action's time, or a dash. */
  static String lastRun(List<ScheduleActionResult> recent) {
    return recent.stream()
        .map(ScheduleActionResult::getStartedAt)
        .max(Instant::compareTo)
        .map(Text::dateTime)
        .orElse(Text.NONE);
  }

  static String nextRun(List<Instant> next) {
    return next.isEmpty() ? Text.NONE : Text.dateTime(next.get(0));
  }

  private static String workflowId(ScheduleActionExecution action) {
    return action instanceof ScheduleActionExecutionStartWorkflow start ? start.getWorkflowId() : Text.NONE;
  }

  private static String runId(ScheduleActionExecution action) {
    return action instanceof ScheduleActionExecutionStartWorkflow start ? start.getFirstExecutionRunId() : Text.NONE;
  }
}
