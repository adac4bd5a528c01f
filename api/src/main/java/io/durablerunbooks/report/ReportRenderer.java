package io.durablerunbooks.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.durablerunbooks.approval.ApprovalRecord;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The final report of a run, for an auditor: Markdown to read, JSON to keep or feed to other tools.
 * Reports hold secret references, never secret values, so both forms are safe to publish.
 */
public final class ReportRenderer {

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .enable(SerializationFeature.INDENT_OUTPUT);

  private static final String NONE = "-";

  private ReportRenderer() {}

  /** Pretty JSON of every field of the report, timestamps in ISO-8601. */
  public static String json(RunbookReport report) {
    try {
      return JSON.writeValueAsString(report);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a RunbookReport always serialises to JSON", e);
    }
  }

  public static String markdown(RunbookReport report) {
    StringBuilder md = new StringBuilder();
    md.append("# ")
        .append(report.kind())
        .append(' ')
        .append(report.name())
        .append(": ")
        .append(report.outcome())
        .append(report.dryRun() ? " (dry run)" : "")
        .append("\n\n");
    summary(md, report);
    if (!report.reason().isEmpty()
        || (report.outcome() != Outcome.SUCCEEDED && report.outcome() != Outcome.RUNNING)) {
      md.append("\n## Reason\n\n")
          .append(report.reason().isEmpty() ? "No reason was recorded." : report.reason())
          .append('\n');
    }
    steps(md, report.steps());
    approvals(md, report.approvals());
    facts(md, report.facts());
    return md.toString();
  }

  private static void summary(StringBuilder md, RunbookReport report) {
    md.append("| | |\n|---|---|\n");
    row(md, "Kind", report.kind());
    row(md, "Name", report.name());
    row(md, "Environment", report.environment());
    row(md, "Outcome", "**" + report.outcome() + "**");
    row(md, "Workflow", code(report.workflowId()));
    row(md, "Run", code(report.runId()));
    row(md, "Initiator", report.initiator());
    row(md, "Dry run", report.dryRun() ? "yes: nothing was changed" : "no");
    row(md, "Started", time(report.startedAt()));
    row(md, "Finished", time(report.finishedAt()));
    row(
        md,
        "Duration",
        report.finishedAt().equals(Instant.EPOCH)
            ? NONE
            : duration(Duration.between(report.startedAt(), report.finishedAt())));
  }

  private static void steps(StringBuilder md, List<StepRecord> steps) {
    List<String[]> rows = new ArrayList<>();
    for (int i = 0; i < steps.size(); i++) {
      StepRecord step = steps.get(i);
      rows.add(
          new String[] {
            String.valueOf(i + 1),
            step.name(),
            step.status().name(),
            time(step.startedAt()),
            step.finishedAt().equals(Instant.EPOCH) ? "running" : duration(step.duration()),
            step.detail()
          });
    }
    table(md, "Steps", "No step ran.", rows, "#", "Step", "Status", "Started", "Duration", "Detail");
  }

  private static void approvals(StringBuilder md, List<ApprovalRecord> approvals) {
    List<String[]> rows = new ArrayList<>();
    for (ApprovalRecord a : approvals) {
      rows.add(
          new String[] {
            a.gate(),
            a.approver(),
            a.verdict().name(),
            a.comment(),
            time(a.at()),
            a.channel(),
            a.accepted() ? "accepted" : "**refused**: " + a.refusal()
          });
    }
    table(
        md, "Approvals", "No approval was given or asked for.", rows,
        "Gate", "Approver", "Verdict", "Comment", "Time", "Channel", "Result");
  }

  private static void facts(StringBuilder md, Map<String, String> facts) {
    List<String[]> rows = new ArrayList<>();
    facts.forEach((k, v) -> rows.add(new String[] {k, v}));
    table(md, "Facts", "No facts were recorded.", rows, "Fact", "Value");
  }

  private static void table(StringBuilder md, String title, String empty, List<String[]> rows, String... headers) {
    md.append("\n## ").append(title).append("\n\n");
    if (rows.isEmpty()) {
      md.append(empty).append('\n');
      return;
    }
    row(md, headers);
    md.append('|').append("---|".repeat(headers.length)).append('\n');
    rows.forEach(cells -> row(md, cells));
  }

  private static void row(StringBuilder md, String... cells) {
    md.append('|');
    for (String cell : cells) {
      md.append(' ').append(cell(cell)).append(" |");
    }
    md.append('\n');
  }

  /** A table cell: pipes would end the cell and newlines the row. */
  private static String cell(String text) {
    String t = text.strip();
    return t.isEmpty() ? NONE : t.replace("|", "\\|").replace("\r\n", "<br>").replace("\n", "<br>");
  }

  private static String code(String text) {
    return text.isEmpty() ? NONE : "`" + text + "`";
  }

  private static String time(Instant at) {
    return at.equals(Instant.EPOCH) ? NONE : at.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /** {@code 850ms}, {@code 12.3s}, {@code 4m 05s}, {@code 1h 02m 03s}. */
  static String duration(Duration d) {
    long millis = d.toMillis();
    if (millis < 1000) {
      return millis + "ms";
    }
    if (millis < 60_000) {
      return String.format(Locale.ROOT, "%.1fs", millis / 1000.0);
    }
    long s = d.toSeconds();
    if (s < 3600) {
      return String.format(Locale.ROOT, "%dm %02ds", s / 60, s % 60);
    }
    return String.format(Locale.ROOT, "%dh %02dm %02ds", s / 3600, s % 3600 / 60, s % 60);
  }
}
