package io.durablerunbooks.cutover;

import io.durablerunbooks.migrate.SchemaPlan;
import io.durablerunbooks.runbook.RunbookHeader;
import java.util.Objects;

/**
 * MySQL's retention after a cutover: read-only and untouched until {@code cutover.watch()
 * .mysqlRetention()} after the switch, then decommissioned only on an approval.
 */
public record RetentionSpec(RunbookHeader header, CutoverSpec cutover, SchemaPlan plan, String switchedAt) {

  public RetentionSpec {
    Objects.requireNonNull(header, "header");
    Objects.requireNonNull(cutover, "cutover");
    Objects.requireNonNull(plan, "plan");
    Objects.requireNonNull(switchedAt, "switchedAt");
  }
}
