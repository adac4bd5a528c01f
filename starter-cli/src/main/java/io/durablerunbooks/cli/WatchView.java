package io.durablerunbooks.cli;

import io.durablerunbooks.approval.ApprovalRecord;
import io.durablerunbooks.approval.GateState;
import io.durablerunbooks.report.RunbookProgress;
import io.durablerunbooks.report.RunbookReport;
import io.durablerunbooks.report.StepRecord;
import io.durablerunbooks.report.StepStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What {@code runbook watch} draws, as pure functions of the progress query's answers. */
final class WatchView {

  /** Cursor home and clear screen. */
  static final String CLEAR = "\033[H\033[2J";

  private static final String RULE = "=".repeat(72);

  private WatchView() {}

  /** The whole screen for a terminal, redrawn every second. */
  static String screen(String workflowId, RunbookProgress p, Instant now) {
    StringBuilder out = new StringBuilder();
    out.append(title(workflowId, p)).append('\n');
    out.append("started by ").append(p.initiator()).append("; ").append(p.outcome()).append("\n\n");
    out.append(steps(p.steps(), now));
    if (p.gate().open()) {
      out.append('\n');
      banner(workflowId, p.gate(), now).forEach(line -> out.append(line).append('\n'));
    }
    if (!p.approvals().isEmpty()) {
      out.append("\nDecisions:\n");
      p.approvals().forEach(a -> out.append("  ").append(Text.approval(a)).append('\n'));
    }
    out.append("\nCtrl-C stops watching; the run goes on.\n");
    return out.toString();
  }

  /**
   * For a log or a pipe: the lines that say what changed since the previous answer (every step
   * that started or ended, the gate opening or closing, each new decision); none when nothing did.
   */
  static List<String> changes(String workflowId, Optional<RunbookProgress> before, RunbookProgress after) {
    List<String> lines = new ArrayList<>();
    if (before.isEmpty()) {
      lines.add(title(workflowId, after) + ", started by " + after.initiator());
    }
    List<StepRecord> old = before.map(RunbookProgress::steps).orElse(List.of());
    for (int i = 0; i < after.steps().size(); i++) {
      StepRecord step = after.steps().get(i);
      if (i >= old.size() || old.get(i).status() != step.status()) {
        lines.add(stepLine(step));
      }
    }
    GateState oldGate = before.map(RunbookProgress::gate).orElse(GateState.closed());
    if (after.gate().open() && !(oldGate.open() && oldGate.gate().equals(after.gate().gate()))) {
      lines.addAll(banner(workflowId, after.gate(), Instant.EPOCH));
    } else if (oldGate.open() && !after.gate().open()) {
      lines.add("gate " + oldGate.gate() + " closed");
    }
    List<ApprovalRecord> oldApprovals = before.map(RunbookProgress::approvals).orElse(List.of());
    for (int i = oldApprovals.size(); i < after.approvals().size(); i++) {
      lines.add(Text.approval(after.approvals().get(i)));
    }
    return lines;
  }

  /**
   * The banner of an open gate: who may approve, until when, and the commands to type.
   *
   * @param now for the time left; {@link Instant#EPOCH} to leave it out (a log line goes stale)
   */
  static List<String> banner(String workflowId, GateState gate, Instant now) {
    String deadline = Text.dateTime(gate.deadline());
    if (!now.equals(Instant.EPOCH) && gate.deadline().isAfter(now)) {
      deadline += " (in " + Text.duration(Duration.between(now, gate.deadline())) + ")";
    }
    String as = gate.approvers().size() == 1 ? gate.approvers().get(0) : "USER";
    List<String> lines = new ArrayList<>();
    lines.add(RULE);
    lines.add("  WAITING FOR GO at gate " + gate.gate());
    if (!gate.prompt().isEmpty()) {
      lines.add("  " + gate.prompt());
    }
    String approvers = gate.approvers().isEmpty() ? "nobody listed" : String.join(", ", gate.approvers());
    lines.add("  who may approve: " + approvers);
    lines.add("  deadline:        " + deadline + "; no decision by then is a NO-GO");
    lines.add("  GO:     runbook approve " + workflowId + " --as " + as + " --comment \"...\"");
    lines.add("  NO-GO:  runbook reject " + workflowId + " --as " + as + " --comment \"why\"");
    lines.add(RULE);
    return lines;
  }

  /** The steps as a table: a running step's duration counts up to {@code now}. */
  static String steps(List<StepRecord> steps, Instant now) {
    if (steps.isEmpty()) {
      return "  (no step has started yet)\n";
    }
    TextTable table = new TextTable("STEP", "STATE", "STARTED", "DURATION", "DETAIL");
    for (StepRecord s : steps) {
      Duration took =
          s.status() == StepStatus.RUNNING ? Duration.between(s.startedAt(), now) : s.duration();
      table.row(s.name(), s.status(), Text.clock(s.startedAt()), Text.duration(took), Text.firstLine(s.detail()));
    }
    return table.render("  ");
  }

  /**
   * The planned steps whose plan does not fit the table's one line (a dry run's DDL), in full.
   */
  static String plan(List<StepRecord> steps) {
    StringBuilder out = new StringBuilder();
    for (StepRecord s : steps) {
      if (s.status() == StepStatus.PLANNED && s.detail().contains("\n")) {
        out.append(out.length() == 0 ? "\nPlan:\n" : "").append("  ").append(s.name()).append(":\n");
        s.detail().lines().forEach(line -> out.append("    ").append(line).append('\n'));
      }
    }
    return out.toString();
  }

  /**
   * What is left on screen when the run has closed.
   *
   * @param lastSeen the last progress answer, shown when the run ended without a report
   */
  static String summary(String workflowId, RunResult result, Optional<RunbookProgress> lastSeen, Instant now) {
    StringBuilder out = new StringBuilder();
    out.append(RULE).append('\n');
    Optional<RunbookReport> report = result.report();
    if (report.isPresent()) {
      RunbookReport r = report.get();
      out.append(r.outcome())
          .append(": ")
          .append(r.kind())
          .append(' ')
          .append(r.name())
          .append(" (")
          .append(r.environment())
          .append(")")
          .append(r.dryRun() ? " [dry run]" : "");
      if (!r.finishedAt().equals(Instant.EPOCH)) {
        out.append(" in ").append(Text.duration(Duration.between(r.startedAt(), r.finishedAt())));
      }
      out.append('\n');
      if (!r.reason().isEmpty()) {
        out.append("reason: ").append(r.reason()).append('\n');
      }
      out.append('\n').append(steps(r.steps(), r.finishedAt()));
      out.append(plan(r.steps()));
      if (!r.facts().isEmpty()) {
        out.append("\nFacts:\n");
        TextTable facts = new TextTable("FACT", "VALUE");
        for (Map.Entry<String, String> fact : r.facts().entrySet()) {
          facts.row(fact.getKey(), Text.firstLine(fact.getValue()));
        }
        out.append(facts.render("  "));
      }
      r.approvals().forEach(a -> out.append("decision: ").append(Text.approval(a)).append('\n'));
      out.append("\nfull report: runbook report ").append(workflowId).append(" --format md\n");
    } else {
      out.append(result.outcome()).append(": ").append(workflowId);
      if (!result.message().isEmpty()) {
        out.append(": ").append(result.message());
      }
      out.append('\n');
      lastSeen.ifPresent(p -> out.append("\nlast steps seen:\n").append(steps(p.steps(), now)));
      out.append("\nwhat happened: runbook history ").append(workflowId).append('\n');
    }
    return out.toString();
  }

  private static String title(String workflowId, RunbookProgress p) {
    return workflowId
        + ": "
        + p.kind()
        + " "
        + p.name()
        + " ("
        + p.environment()
        + ")"
        + (p.dryRun() ? " [dry run]" : "");
  }

  private static String stepLine(StepRecord s) {
    boolean ended = s.status() != StepStatus.RUNNING;
    return Text.clock(ended ? s.finishedAt() : s.startedAt())
        + "  "
        + s.name()
        + " "
        + s.status()
        + (ended ? " in " + Text.duration(s.duration()) : "")
        + (s.detail().isEmpty() ? "" : ": " + Text.firstLine(s.detail()));
  }
}
