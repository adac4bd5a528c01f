package io.durablerunbooks.runbook;

import static org.assertj.core.api.Assertions.assertThat;

import io.durablerunbooks.backup.BackupRequest;
import io.durablerunbooks.report.Outcome;
import io.durablerunbooks.report.RunbookReport;
import io.durablerunbooks.report.StepRecord;
import io.durablerunbooks.report.StepStatus;
import io.durablerunbooks.restore.RestoreRequest;
import io.durablerunbooks.restoretest.RestoreTestRequest;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every record that crosses Temporal survives its data converter unchanged. Jackson serialises
 * derived getters too, and Temporal's converter refuses unknown properties, so a careless
 * {@code isSomething()} on a record would make every workflow task fail.
 */
class PayloadRoundTripTest {

  private static final DataConverter CONVERTER = DefaultDataConverter.newDefaultInstance();

  static Stream<Object> payloads() {
    Instant t = Instant.parse("2026-11-22T03:00:00Z");
    return Stream.of(
        new BackupRequest(new RunContext("carol", false), Fixtures.backup(Fixtures.approvers("alice"))),
        new RestoreRequest(new RunContext("carol", true), Fixtures.restore("production", true, Fixtures.approvers("bob"))),
        new RestoreTestRequest(new RunContext(RunContext.SCHEDULER, false), Fixtures.restoreTest()),
        Fixtures.manifest("postgres/x.dump.zst", "ab"),
        new RunbookReport(
            "backup", "x", "staging", "backup/x", "run", "carol", false, Outcome.SUCCEEDED, "", t, t,
            List.of(new StepRecord("CheckDatabase", StepStatus.SUCCEEDED, t, t.plusSeconds(1), "ok")),
            List.of(), Map.of("backup.key", "k")));
  }

  @ParameterizedTest
  @MethodSource("payloads")
  void survivesTheDataConverter(Object payload) {
    Object back = CONVERTER.fromPayload(CONVERTER.toPayload(payload).orElseThrow(), payload.getClass(), payload.getClass());
    assertThat(back).isEqualTo(payload);
  }
}
