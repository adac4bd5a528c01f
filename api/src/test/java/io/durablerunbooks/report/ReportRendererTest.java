package io.durablerunbooks.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.durablerunbooks.approval.ApprovalRecord;
import io.durablerunbooks.approval.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReportRendererTest {

  static final Instant T0 = Instant.parse("2026-11-21T03:00:00Z");

  static RunbookReport report(Outcome outcome, String reason, List<StepRecord> steps) {
    Map<String, String> facts = new LinkedHashMap<>();
    facts.put("backup.key", "postgres/orders/2026/11/21/orders-20261121T030000Z-abc.dump.zst");
    facts.put("backup.sha256", "9f86d081884c7d65");
    facts.put("backup.storedBytes", "1048576");
    return new RunbookReport(
        "restore",
        "orders-restore",
        "staging",
        "restore/orders-restore",
        "run-1",
        "carol",
        false,
        outcome,
        reason,
        T0,
        T0.plusSeconds(245),
        steps,
        List.of(
            new ApprovalRecord("go", "mallory", Verdict.GO, "let me", T0.plusSeconds(10), "signal", false,
                "mallory is not an approver (alice, bob)"),
            new ApprovalRecord("go", "alice", Verdict.GO, "checked the manifest", T0.plusSeconds(20), "update", true, "")),
        facts);
  }

  static List<StepRecord> steps() {
    return List.of(
        new StepRecord("FindBackup", StepStatus.SUCCEEDED, T0, T0.plusMillis(850), "newest verified"),
        new StepRecord("VerifyBackupChecksum", StepStatus.SUCCEEDED, T0.plusSeconds(1), T0.plusMillis(2500), ""),
        new StepRecord("RestoreIntoScratchDatabase", StepStatus.FAILED, T0.plusSeconds(30), T0.plusSeconds(275), "pg_restore exited 1"));
  }

  @Test
  void markdownHasTitleSummaryStepsApprovalsAndFacts() {
    String md = ReportRenderer.markdown(report(Outcome.SUCCEEDED, "", steps()));

    assertThat(md).startsWith("# restore orders-restore: SUCCEEDED\n");
    assertThat(md)
        .contains("| Environment | staging |")
        .contains("| Outcome | **SUCCEEDED** |")
        .contains("| Workflow | `restore/orders-restore` |")
        .contains("| Initiator | carol |")
        .contains("| Started | 2026-11-21T03:00:00Z |")
        .contains("| Duration | 4m 05s |");
    assertThat(md)
        .contains("| # | Step | Status | Started | Duration | Detail |")
        .contains("| 1 | FindBackup | SUCCEEDED | 2026-11-21T03:00:00Z | 850ms | newest verified |")
        .contains("| 2 | VerifyBackupChecksum | SUCCEEDED | 2026-11-21T03:00:01Z | 1.5s | - |")
        .contains("| 3 | RestoreIntoScratchDatabase | FAILED | 2026-11-21T03:00:30Z | 4m 05s | pg_restore exited 1 |");
    assertThat(md)
        .contains("| Gate | Approver | Verdict | Comment | Time | Channel | Result |")
        .contains("| go | mallory | GO | let me | 2026-11-21T03:00:10Z | signal | **refused**: mallory is not an approver (alice, bob) |")
        .contains("| go | alice | GO | checked the manifest | 2026-11-21T03:00:20Z | update | accepted |");
    assertThat(md)
        .contains("| backup.key | postgres/orders/2026/11/21/orders-20261121T030000Z-abc.dump.zst |\n| backup.sha256 | 9f86d081884c7d65 |");
    assertThat(md).doesNotContain("## Reason");
    assertThat(md.indexOf("## Steps")).isLessThan(md.indexOf("## Approvals"));
    assertThat(md.indexOf("## Approvals")).isLessThan(md.indexOf("## Facts"));
  }

  @Test
  void markdownGivesTheReasonWhenTheRunDidNotSucceed() {
    String md = ReportRenderer.markdown(report(Outcome.FAILED, "RestoreIntoScratchDatabase: pg_restore exited 1", steps()));

    assertThat(md).startsWith("# restore orders-restore: FAILED\n");
    assertThat(md).contains("## Reason\n\nRestoreIntoScratchDatabase: pg_restore exited 1\n");
  }

  @Test
  void markdownSaysWhenAFailureCameWithoutAReason() {
    assertThat(ReportRenderer.markdown(report(Outcome.REJECTED, "", steps())))
        .contains("## Reason\n\nNo reason was recorded.");
  }

  @Test
  void markdownShowsARunningStepAndEmptySections() {
    RunbookReport running =
        new RunbookReport("backup", "orders", "staging", "backup/orders", "run-2", "scheduler", true,
            Outcome.RUNNING, "", T0, Instant.EPOCH,
            List.of(new StepRecord("DumpAndUpload", StepStatus.RUNNING, T0, Instant.EPOCH, "")),
            List.of(), Map.of());

    String md = ReportRenderer.markdown(running);

    assertThat(md).startsWith("# backup orders: RUNNING (dry run)\n");
    assertThat(md).contains("| DumpAndUpload | RUNNING | 2026-11-21T03:00:00Z | running | - |");
    assertThat(md).contains("| Finished | - |").contains("| Duration | - |");
    assertThat(md).contains("No approval was given or asked for.").contains("No facts were recorded.");
    assertThat(md).doesNotContain("## Reason");
  }

  @Test
  void markdownKeepsPipesAndNewlinesInsideTheirCell() {
    RunbookReport report =
        report(Outcome.FAILED, "", List.of(new StepRecord("RunSmokeChecks", StepStatus.FAILED, T0, T0.plusSeconds(1),
            "customers: expected t | got f\nsecond line")));

    assertThat(ReportRenderer.markdown(report))
        .contains("| customers: expected t \\| got f<br>second line |");
  }

  @Test
  void jsonIsPrettyWithIsoTimestampsAndReadsBackToTheSameReport() throws Exception {
    RunbookReport report = report(Outcome.SUCCEEDED, "", steps());

    String json = ReportRenderer.json(report);

    assertThat(json).contains("\n  \"kind\" : \"restore\",");
    JsonNode tree = new ObjectMapper().readTree(json);
    assertThat(tree.get("startedAt").asText()).isEqualTo("2026-11-21T03:00:00Z");
    assertThat(tree.get("steps").get(0).get("finishedAt").asText()).isEqualTo("2026-11-21T03:00:00.850Z");
    assertThat(tree.get("approvals").get(0).get("refusal").asText()).isEqualTo("mallory is not an approver (alice, bob)");
    assertThat(tree.get("facts").fieldNames()).toIterable()
        .containsExactly("backup.key", "backup.sha256", "backup.storedBytes");
    RunbookReport back =
        new ObjectMapper().registerModule(new JavaTimeModule()).readValue(json, RunbookReport.class);
    assertThat(back).isEqualTo(report);
  }

  @ParameterizedTest
  @CsvSource({"PT0S, 0ms", "PT0.85S, 850ms", "PT1.5S, 1.5s", "PT59.94S, 59.9s", "PT1M, 1m 00s", "PT4M5S, 4m 05s", "PT1H2M3S, 1h 02m 03s", "PT26H, 26h 00m 00s"})
  void durationsReadLikeAPersonWouldWriteThem(String iso, String shown) {
    assertThat(ReportRenderer.duration(Duration.parse(iso))).isEqualTo(shown);
  }
}
