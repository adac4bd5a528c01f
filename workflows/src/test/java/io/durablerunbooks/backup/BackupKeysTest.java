package io.durablerunbooks.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.durablerunbooks.runbook.ApprovalPolicy;
import io.durablerunbooks.runbook.Fixtures;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class BackupKeysTest {

  @Test
  void runsStartedCloseTogetherGetDifferentTags() {
    // Two UUIDv7 run ids from the same second: same timestamp digits, different random tails.
    String first = "01a20147-f5c5-7c5c-b90f-bace41478c11";
    String second = "01a20147-f5c6-7a01-8e2d-0c9f3be21a7d";
    assertThat(BackupKeys.runTag(first)).isEqualTo("41478c11").isNotEqualTo(BackupKeys.runTag(second));
  }

  @Test
  void keysSortByTimeUnderTheRunbooksPrefix() {
    BackupSpec spec = Fixtures.backup(ApprovalPolicy.unattended());
    String key = BackupKeys.objectKey(spec, Instant.parse("2026-11-22T03:04:05Z"), "01a20147-f5c5-7c5c-b90f-bace41478c11");
    assertThat(key).isEqualTo("postgres/orders-nightly/2026/11/22/orders-nightly-20261122T030405Z-41478c11.dump.zst");
  }
}
