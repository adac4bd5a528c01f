package io.durablerunbooks.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.durablerunbooks.approval.ApprovalRecord;
import io.durablerunbooks.approval.Verdict;
import io.durablerunbooks.rollout.PauseRecord;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TextTest {

  @Test
  void durationsReadAtAGlance() {
    assertThat(Text.duration(Duration.ofMillis(420))).isEqualTo("0.4s");
    assertThat(Text.duration(Duration.ofSeconds(42))).isEqualTo("42s");
    assertThat(Text.duration(Duration.ofSeconds(65))).isEqualTo("1m 05s");
    assertThat(Text.duration(Duration.ofMinutes(125))).isEqualTo("2h 05m");
  }

  @Test
  void notYetIsADash() {
    assertThat(Text.clock(Instant.EPOCH)).isEqualTo("-");
    assertThat(Text.dateTime(Instant.parse("2025-03-01T03:04:05Z"))).isEqualTo("2025-03-01 03:04:05Z");
  }

  @Test
  void aRefusedDecisionSaysWhy() {
    ApprovalRecord refused =
        new ApprovalRecord(
            "swap", "carol", Verdict.GO, "", Instant.parse("2025-03-01T03:04:05Z"), "signal", false,
            "the initiator may not approve their own run");

    assertThat(Text.approval(refused))
        .isEqualTo(
            "REFUSED GO by carol at gate swap via signal at 2025-03-01 03:04:05Z"
                + " (the initiator may not approve their own run)");
  }

  @Test
  void aPauseAndAResumeSayWhereWhoWhenAndWhy() {
    Instant at = Instant.parse("2025-03-01T03:04:05Z");

    assertThat(Text.pause(new PauseRecord(true, 25, "alice", "checking the dashboards", at)))
        .isEqualTo("paused at 25 % by alice at 2025-03-01 03:04:05Z: \"checking the dashboards\"");
    assertThat(Text.pause(new PauseRecord(false, 25, "bob", "", at))).isEqualTo("resumed at 25 % by bob at 2025-03-01 03:04:05Z");
  }

  @Test
  void tableColumnsAlign() {
    String table = new TextTable("STEP", "STATE").row("CheckDatabase", "SUCCEEDED").row("Dump", "RUNNING").render("");

    assertThat(table).isEqualTo("STEP           STATE\nCheckDatabase  SUCCEEDED\nDump           RUNNING\n");
  }
}
