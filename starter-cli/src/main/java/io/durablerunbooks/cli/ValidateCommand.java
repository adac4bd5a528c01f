package io.durablerunbooks.cli;

import io.durablerunbooks.backup.BackupSpec;
import io.durablerunbooks.definition.RunbookDefinition;
import io.durablerunbooks.postgres.PostgresConnection;
import io.durablerunbooks.restore.RestoreSpec;
import io.durablerunbooks.restoretest.RestoreTestSpec;
import io.durablerunbooks.runbook.ApprovalPolicy;
import io.durablerunbooks.runbook.RunbookHeader;
import io.durablerunbooks.runbook.Runbooks;
import io.durablerunbooks.storage.StorageLocation;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "validate",
    description = "Check a runbook file without running it: every problem is listed with its field path.",
    footerHeading = "%nExample:%n",
    footer = {
      "  runbook validate runbooks/local-backup.yaml --set environment=staging",
      "Exits 0 when the file is valid, 2 with one line per problem when it is not."
    })
final class ValidateCommand implements Callable<Integer> {

  @ParentCommand RunbookCommand root;

  @Mixin RunbookFileArgs runbook;

  @Override
  public Integer call() {
    RunbookDefinition definition = runbook.load();
    summary(definition).forEach(root.out()::println);
    return ExitCodes.SUCCEEDED;
  }

  /** What the file will do, in a few lines; no secret, not even a webhook URL, is printed. */
  static List<String> summary(RunbookDefinition definition) {
    RunbookHeader h = definition.header();
    List<String> lines = new ArrayList<>();
    lines.add("OK: " + h.kind().id() + " " + h.name() + " (" + h.environment() + ")");
    lines.add("  workflow id:  " + h.workflowId() + " on task queue $RUNBOOKS_TASK_QUEUE (default " + Runbooks.TASK_QUEUE + ")");
    if (!h.description().isEmpty()) {
      lines.add("  description:  " + h.description());
    }
    if (definition instanceof BackupSpec backup) {
      lines.addAll(backup(backup));
    } else if (definition instanceof RestoreSpec restore) {
      lines.addAll(restore(restore));
    } else if (definition instanceof RestoreTestSpec test) {
      lines.add(
          "  backup:       "
              + (test.takeBackup()
                  ? "a fresh one of " + database(test.backup().database()) + " first"
                  : "the newest verified one"));
      lines.addAll(restore(test.restore()));
    }
    lines.add("  approval:     " + approval(h.approval()));
    lines.add("  notify:       " + (h.webhook().isEmpty() ? "none" : "webhook configured"));
    return lines;
  }

  private static List<String> backup(BackupSpec b) {
    return List.of(
        "  database:     " + database(b.database()),
        "  stored in:    " + storage(b.storage(), b.backupsPrefix()),
        "  compression:  "
            + b.options().compression().name().toLowerCase(Locale.ROOT)
            + " level "
            + b.options().level()
            + ", parts of "
            + (b.options().partSizeBytes() / (1024 * 1024))
            + " MiB, "
            + (b.options().readBackVerify() ? "verified by re-reading its SHA-256" : "verified by size only"),
        "  retention:    "
            + b.retention().daily()
            + " daily, "
            + b.retention().weekly()
            + " weekly; the newest verified backup is always kept");
  }

  private static List<String> restore(RestoreSpec r) {
    return List.of(
        "  restore:      "
            + (r.backupKey().equals(RestoreSpec.LATEST) ? "the newest verified backup" : r.backupKey())
            + " from "
            + storage(r.storage(), r.backupsPrefix()),
        "  target:       "
            + database(r.target())
            + (r.unlockProduction() ? " (production unlocked)" : "")
            + (r.keepPrevious() ? ", previous database kept" : ", previous database dropped"),
        "  smoke checks: at least "
            + count(r.smoke().minTables(), "table", "tables")
            + ", "
            + count(r.smoke().queries().size(), "query", "queries"));
  }

  private static String count(int n, String one, String many) {
    return n + " " + (n == 1 ? one : many);
  }

  private static String database(PostgresConnection c) {
    return c.user() + "@" + c.host() + ":" + c.port() + "/" + c.database();
  }

  private static String storage(StorageLocation s, String prefix) {
    return s.uri(prefix) + (s.endpoint().isEmpty() ? "" : " at " + s.endpoint());
  }

  private static String approval(ApprovalPolicy p) {
    if (!p.required()) {
      return "none, runs unattended";
    }
    return "GO required from "
        + String.join(", ", p.approvers())
        + " within "
        + Text.duration(p.timeout())
        + (p.allowSelfApproval() ? "; the initiator may approve" : "; not by the initiator");
  }
}
