package io.durablerunbooks.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.durablerunbooks.approval.ApprovalRecord;
import io.durablerunbooks.approval.GateState;
import io.durablerunbooks.approval.Verdict;
import io.durablerunbooks.report.Outcome;
import io.durablerunbooks.report.RunbookProgress;
import io.durablerunbooks.report.RunbookReport;
import io.durablerunbooks.report.StepRecord;
import io.durablerunbooks.report.StepStatus;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WatchViewTest {

  private static final String ID = "restore/orders-staging";
  private static final Instant T0 = Instant.parse("2025-03-01T03:00:00Z");

  private static StepRecord done(String name, int from, int to) {
    return new StepRecord(name, StepStatus.SUCCEEDED, T0.plusSeconds(from), T0.plusSeconds(to), "");
  }

  private static StepRecord running(String name, int from) {
    return new StepRecord(name, StepStatus.RUNNING, T0.plusSeconds(from), Instant.EPOCH, "");
  }

  private static RunbookProgress progress(List<StepRecord> steps, GateState gate, List<ApprovalRecord> approvals) {
    return new RunbookProgress(
        "restore", "orders-staging", "staging", "carol", false, Outcome.RUNNING, steps, gate, approvals);
  }

  private static GateState openGate(List<String> approvers) {
    return new GateState("swap", true, "Swap orders_restored in for orders?", approvers, T0.plusSeconds(3600));
  }

  @Test
  void theScreenShowsEachStepWithItsStateAndDuration() {
    List<StepRecord> steps = List.of(done("VerifyChecksum", 0, 4), running("RestoreIntoScratch", 4));
    RunbookProgress p = progress(steps, GateState.closed(), List.of());

    String screen = WatchView.screen(ID, p, T0.plusSeconds(34));

    assertThat(screen).startsWith(ID + ": restore orders-staging (staging)\nstarted by carol; RUNNING\n");
    assertThat(screen).containsPattern("VerifyChecksum\\s+SUCCEEDED\\s+03:00:00\\s+4\\.0s");
    assertThat(screen).containsPattern("RestoreIntoScratch\\s+RUNNING\\s+03:00:04\\s+30s");
    assertThat(screen).doesNotContain("WAITING FOR GO");
  }

  @Test
  void anOpenGateShowsWhoMayApproveTheDeadlineAndTheCommands() {
    RunbookProgress p = progress(List.of(running("ApproveSwap", 10)), openGate(List.of("alice", "bob")), List.of());

    String screen = WatchView.screen(ID, p, T0.plusSeconds(600));

    assertThat(screen)
        .contains("WAITING FOR GO at gate swap")
        .contains("Swap orders_restored in for orders?")
        .contains("who may approve: alice, bob")
        .contains("deadline:        2025-03-01 04:00:00Z (in 50m 00s); no decision by then is a NO-GO")
        .contains("runbook approve " + ID + " --as USER --comment \"...\"")
        .contains("runbook reject " + ID + " --as USER --comment \"why\"");
  }

  @Test
  void aDryRunsMultiLinePlansArePrintedInFullBelowTheTable() {
    StepRecord ddl =
        new StepRecord("CreateTables", StepStatus.PLANNED, T0, T0, "would create in shop:\nCREATE TABLE \"public\".\"a\" (\n  \"id\" integer\n);");
    StepRecord oneLine = new StepRecord("Verify", StepStatus.PLANNED, T0, T0, "would compare checksums");

    String plan = WatchView.plan(List.of(done("ConvertSchema", 0, 1), ddl, oneLine));

    assertThat(plan).isEqualTo("\nPlan:\n  CreateTables:\n    would create in shop:\n    CREATE TABLE \"public\".\"a\" (\n      \"id\" integer\n    );\n");
    assertThat(WatchView.plan(List.of(oneLine))).isEmpty();
  }

  @Test
  void aSoleApproverIsNamedInTheCommand() {
    List<String> banner = WatchView.banner(ID, openGate(List.of("alice")), Instant.EPOCH);

    assertThat(banner).contains("  GO:     runbook approve " + ID + " --as alice --comment \"...\"");
    assertThat(String.join("\n", banner)).doesNotContain("(in ");
  }

  @Test
  void inALogOnlyWhatChangedIsPrinted() {
    RunbookProgress first = progress(List.of(running("VerifyChecksum", 0)), GateState.closed(), List.of());
    RunbookProgress same = progress(List.of(running("VerifyChecksum", 0)), GateState.closed(), List.of());
    List<StepRecord> later = List.of(done("VerifyChecksum", 0, 4), running("RestoreIntoScratch", 4));
    RunbookProgress next = progress(later, GateState.closed(), List.of());

    assertThat(WatchView.changes(ID, Optional.empty(), first))
        .containsExactly(
            ID + ": restore orders-staging (staging), started by carol", "03:00:00  VerifyChecksum RUNNING");
    assertThat(WatchView.changes(ID, Optional.of(first), same)).isEmpty();
    assertThat(WatchView.changes(ID, Optional.of(same), next))
        .containsExactly("03:00:04  VerifyChecksum SUCCEEDED in 4.0s", "03:00:04  RestoreIntoScratch RUNNING");
  }

  @Test
  void theGateOpeningAndClosingAndEachDecisionAreLogged() {
    RunbookProgress before = progress(List.of(running("ApproveSwap", 10)), GateState.closed(), List.of());
    RunbookProgress open = progress(List.of(running("ApproveSwap", 10)), openGate(List.of("alice", "bob")), List.of());
    ApprovalRecord go =
        new ApprovalRecord("swap", "alice", Verdict.GO, "looks right", T0.plusSeconds(70), "update", true, "");
    StepRecord approved =
        new StepRecord("ApproveSwap", StepStatus.SUCCEEDED, T0.plusSeconds(10), T0.plusSeconds(70), "GO by alice");
    RunbookProgress closed = progress(List.of(approved), GateState.closed(), List.of(go));

    List<String> opened = WatchView.changes(ID, Optional.of(before), open);
    List<String> decided = WatchView.changes(ID, Optional.of(open), closed);

    assertThat(opened).anyMatch(l -> l.contains("WAITING FOR GO at gate swap"));
    assertThat(WatchView.changes(ID, Optional.of(open), open)).isEmpty();
    assertThat(decided)
        .containsExactly(
            "03:01:10  ApproveSwap SUCCEEDED in 1m 00s: GO by alice",
            "gate swap closed",
            "GO by alice at gate swap via update at 2025-03-01 03:01:10Z: \"looks right\"");
  }

  @Test
  void theSummaryOfAFinishedRunShowsOutcomeReasonAndFacts() {
    Map<String, String> facts = new LinkedHashMap<>();
    facts.put("backup.key", "postgres/orders/2025-03-01.dump.zst");
    RunbookReport report =
        new RunbookReport(
            "restore", "orders-staging", "staging", ID, "run-1", "carol", false, Outcome.REJECTED,
            "NO-GO by bob: wrong backup", T0, T0.plusSeconds(125), List.of(done("VerifyChecksum", 0, 4)),
            List.of(), facts);
    RunResult rejected = new RunResult(Outcome.REJECTED, Optional.of(report), "REJECTED: NO-GO by bob");

    String summary = WatchView.summary(ID, rejected, Optional.empty(), T0.plusSeconds(130));

    assertThat(summary)
        .contains("REJECTED: restore orders-staging (staging) in 2m 05s")
        .contains("reason: NO-GO by bob: wrong backup")
        .containsPattern("backup.key\\s+postgres/orders/2025-03-01.dump.zst")
        .contains("runbook report " + ID);
  }

  @Test
  void theSummaryOfARunWithoutReportShowsTheLastStepsSeen() {
    RunbookProgress last = progress(List.of(running("DumpAndUpload", 0)), GateState.closed(), List.of());

    RunResult cancelled = new RunResult(Outcome.CANCELLED, Optional.empty(), "cancelled");

    String summary = WatchView.summary(ID, cancelled, Optional.of(last), T0.plusSeconds(20));

    assertThat(summary)
        .contains("CANCELLED: " + ID + ": cancelled")
        .contains("DumpAndUpload")
        .contains("runbook history " + ID);
  }
}
