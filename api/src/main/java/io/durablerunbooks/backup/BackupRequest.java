package io.durablerunbooks.backup;

import io.durablerunbooks.runbook.RunContext;

/** Input of the backup workflow. */
public record BackupRequest(RunContext context, BackupSpec spec) {}
