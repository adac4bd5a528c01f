package io.durablerunbooks.cli;

import io.durablerunbooks.approval.ApprovalRecord;
import io.durablerunbooks.rollout.PauseRecord;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** How the CLI writes times, durations and decisions; always UTC, so two operators read the same thing. */
final class Text {

  static final String NONE = "-";

  private static final DateTimeFormatter CLOCK =
      DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter DATE_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

  private Text() {}

  static String duration(Duration d) {
    long millis = d.toMillis();
    if (millis < 10_000) {
      return String.format(Locale.ROOT, "%.1fs", millis / 1000.0);
    }
    long seconds = d.toSeconds();
    if (seconds < 60) {
      return seconds + "s";
    }
    if (seconds < 3600) {
      return String.format(Locale.ROOT, "%dm %02ds", seconds / 60, seconds % 60);
    }
    return String.format(Locale.ROOT, "%dh %02dm", seconds / 3600, (seconds % 3600) / 60);
  }

  /** Time of day; {@link Instant#EPOCH} (not yet) as a dash. */
  static String clock(Instant at) {
    return at.equals(Instant.EPOCH) ? NONE : CLOCK.format(at);
  }

  static String dateTime(Instant at) {
    return at.equals(Instant.EPOCH) ? NONE : DATE_TIME.format(at);
  }

  static String firstLine(String text) {
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }

  /** One decision at a gate, as the workflow recorded it. */
  static String approval(ApprovalRecord r) {
    String who = r.approver().isEmpty() ? r.channel() : r.approver();
    return (r.accepted() ? "" : "REFUSED ")
        + r.verdict()
        + " by "
        + who
        + " at gate "
        + r.gate()
        + " via "
        + r.channel()
        + " at "
        + dateTime(r.at())
        + (r.comment().isEmpty() ? "" : ": \"" + r.comment() + "\"")
        + (r.accepted() ? "" : " (" + r.refusal() + ")");
  }

  /** A pause or a resume, as the rollout accepted it. */
  static String pause(PauseRecord r) {
    return (r.paused() ? "paused" : "resumed")
        + " at "
        + r.weight()
        + " % by "
        + r.by()
        + " at "
        + dateTime(r.at())
        + (r.comment().isEmpty() ? "" : ": \"" + r.comment() + "\"");
  }
}
