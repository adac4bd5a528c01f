package io.durablerunbooks.rollback;

import io.durablerunbooks.deploy.HostTarget;
import io.durablerunbooks.deploy.ReleaseId;
import io.durablerunbooks.definition.RunbookDefinition;
import io.durablerunbooks.runbook.RunbookHeader;
import io.durablerunbooks.smoke.AppSmokeSpec;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A validated {@code kind: rollback} runbook file: put the hosts back on an earlier release and
 * mark the one they leave as bad, so that no rollback or deploy picks it again.
 *
 * @param to the release to go back to; empty for the newest good one the hosts ran before
 * @param reason why the release is bad, kept in its mark on every host
 * @param restart the restart or reload hook, run after the switch; empty to skip
 * @param batchSize hosts switched at once
 */
public record RollbackSpec(
    RunbookHeader header,
    List<HostTarget> hosts,
    String to,
    String reason,
    String restart,
    Duration hookTimeout,
    int batchSize,
    AppSmokeSpec smoke)
    implements RunbookDefinition {

  public RollbackSpec {
    Objects.requireNonNull(header, "header");
    hosts = List.copyOf(hosts);
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(restart, "restart");
    Objects.requireNonNull(hookTimeout, "hookTimeout");
    Objects.requireNonNull(smoke, "smoke");
    if (!to.isEmpty()) {
      ReleaseId.require(to);
    }
    if (hosts.isEmpty()) {
      throw new IllegalArgumentException("a rollback needs at least one host");
    }
    if (reason.isBlank()) {
      throw new IllegalArgumentException("a rollback needs a reason: it is kept in the bad release's mark");
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be 1 or more, got " + batchSize);
    }
  }
}
