package io.durablerunbooks.backup;

import io.durablerunbooks.storage.StorageLocation;
import java.time.Instant;

/**
 * @param backupsPrefix the runbook's prefix, ending in a slash
 * @param protectedKey the backup this run just verified: never deleted
 * @param now the workflow's clock, so the decision is the same on every attempt
 */
public record RetentionRequest(
    StorageLocation storage,
    String backupsPrefix,
    RetentionPolicy policy,
    String protectedKey,
    Instant now,
    boolean dryRun) {}
