package io.durablerunbooks.cutover;

import java.time.Duration;
import java.util.Objects;

/**
 * The verified backup a cutover's preflight requires: the newest backup of a backup runbook, in
 * the cutover's backup storage, whose manifest says it was verified, no older than {@code maxAge}.
 *
 * @param runbook the backup runbook's name; empty for no requirement
 */
public record BackupCheck(String runbook, Duration maxAge) {

  public static final Duration DEFAULT_MAX_AGE = Duration.ofHours(26);

  public BackupCheck {
    Objects.requireNonNull(runbook, "runbook");
    Objects.requireNonNull(maxAge, "maxAge");
  }

  public static BackupCheck none() {
    return new BackupCheck("", DEFAULT_MAX_AGE);
  }

  public boolean required() {
    return !runbook.isEmpty();
  }
}
