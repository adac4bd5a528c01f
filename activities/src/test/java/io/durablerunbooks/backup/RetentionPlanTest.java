package io.durablerunbooks.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetentionPlanTest {

  /** A Friday: ISO week 47 of 2026. */
  private static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");

  private static BackupManifest backup(String key, String startedAt, boolean verified) {
    Instant at = Instant.parse(startedAt);
    return new BackupManifest(
        BackupManifest.FORMAT_VERSION, "nightly", "prod", "backup/nightly", "run", "bucket", key, "db", "15",
        "pg_dump 15", "zstd", 3, 10, 5, "0".repeat(64), verified, verified ? "sha256-read-back" : "", at,
        at.plusSeconds(60), 60_000);
  }

  private static RetentionResult decide(List<BackupManifest> backups, int daily, int weekly, String protectedKey) {
    return RetentionPlan.decide(backups, new RetentionPolicy(daily, weekly), protectedKey, NOW);
  }

  @Test
  void keepsTheNewestOfEachOfTheLastDays() {
    List<BackupManifest> backups =
        List.of(
            backup("d0-late", "2026-11-20T03:00:00Z", true),
            backup("d0-early", "2026-11-20T01:00:00Z", true),
            backup("d1", "2026-11-19T03:00:00Z", true),
            backup("d2", "2026-11-18T03:00:00Z", true),
            backup("d3", "2026-11-17T03:00:00Z", true));

    RetentionResult result = decide(backups, 3, 0, "");

    assertThat(result.kept()).containsExactly("d0-late", "d1", "d2");
    assertThat(result.deleted()).containsExactly("d0-early", "d3");
  }

  @Test
  void keepsTheNewestOfEachOfTheLastIsoWeeks() {
    List<BackupManifest> backups =
        List.of(
            backup("w47-fri", "2026-11-20T03:00:00Z", true),
            backup("w47-mon", "2026-11-16T03:00:00Z", true),
            backup("w46-sun", "2026-11-15T03:00:00Z", true),
            backup("w46-mon", "2026-11-09T03:00:00Z", true),
            backup("w45-sun", "2026-11-08T03:00:00Z", true),
            backup("w44-sun", "2026-11-01T03:00:00Z", true));

    RetentionResult result = decide(backups, 0, 3, "");

    assertThat(result.kept()).containsExactly("w47-fri", "w46-sun", "w45-sun");
    assertThat(result.deleted()).containsExactly("w47-mon", "w46-mon", "w44-sun");
  }

  @Test
  void weeksFollowTheIsoCalendarAcrossTheYearBoundary() {
    Instant newYear = Instant.parse("2027-01-01T12:00:00Z");
    List<BackupManifest> backups =
        List.of(
            backup("2026-w53-thu", "2026-12-31T03:00:00Z", true),
            backup("2026-w53-mon", "2026-12-28T03:00:00Z", true),
            backup("2026-w52-sun", "2026-12-27T03:00:00Z", true));

    RetentionResult result = RetentionPlan.decide(backups, new RetentionPolicy(0, 2), "", newYear);

    assertThat(result.kept()).containsExactly("2026-w53-thu", "2026-w52-sun");
    assertThat(result.deleted()).containsExactly("2026-w53-mon");
  }

  @Test
  void theNewestVerifiedAndTheProtectedBackupAreAlwaysKept() {
    List<BackupManifest> backups =
        List.of(
            backup("new-unverified", "2026-11-20T03:00:00Z", false),
            backup("old-verified", "2026-10-01T03:00:00Z", true),
            backup("older", "2026-09-01T03:00:00Z", true),
            backup("protected", "2026-08-01T03:00:00Z", false));

    RetentionResult result = decide(backups, 0, 0, "protected");

    assertThat(result.kept()).containsExactly("old-verified", "protected");
    assertThat(result.deleted()).containsExactly("new-unverified", "older");
  }

  @Test
  void aDayPrefersItsVerifiedBackupToANewerUnverifiedOne() {
    List<BackupManifest> backups =
        List.of(
            backup("today-unverified", "2026-11-20T05:00:00Z", false),
            backup("today-verified", "2026-11-20T03:00:00Z", true),
            backup("yesterday-unverified", "2026-11-19T03:00:00Z", false));

    RetentionResult result = decide(backups, 2, 0, "");

    assertThat(result.kept()).containsExactly("today-verified", "yesterday-unverified");
    assertThat(result.deleted()).containsExactly("today-unverified");
  }

  @Test
  void backupsTakenAfterNowAreKept() {
    List<BackupManifest> backups =
        List.of(backup("future", "2026-11-21T03:00:00Z", false), backup("today", "2026-11-20T03:00:00Z", true));

    RetentionResult result = decide(backups, 0, 0, "");

    assertThat(result.kept()).containsExactly("future", "today");
    assertThat(result.deleted()).isEmpty();
  }

  @Test
  void theDecisionDependsOnlyOnItsInputs() {
    List<BackupManifest> backups =
        List.of(
            backup("a", "2026-11-18T03:00:00Z", true),
            backup("b", "2026-11-20T03:00:00Z", true),
            backup("c", "2026-11-19T03:00:00Z", true));

    assertThat(decide(backups, 1, 0, "")).isEqualTo(decide(List.of(backups.get(2), backups.get(0), backups.get(1)), 1, 0, ""));
  }
}
