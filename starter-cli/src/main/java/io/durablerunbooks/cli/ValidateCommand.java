package io.durablerunbooks.cli;

import io.durablerunbooks.backup.BackupSpec;
import io.durablerunbooks.cutover.ApplicationSpec;
import io.durablerunbooks.cutover.BusinessStat;
import io.durablerunbooks.cutover.CutoverSpec;
import io.durablerunbooks.cutover.RollbackCutoverSpec;
import io.durablerunbooks.cutover.WatchOptions;
import io.durablerunbooks.definition.Durations;
import io.durablerunbooks.definition.RunbookDefinition;
import io.durablerunbooks.deploy.DeployHooks;
import io.durablerunbooks.deploy.DeploySpec;
import io.durablerunbooks.deploy.HostTarget;
import io.durablerunbooks.deploy.RolloutPolicy;
import io.durablerunbooks.rollback.RollbackSpec;
import io.durablerunbooks.rollout.GuardPolicy;
import io.durablerunbooks.rollout.NginxTarget;
import io.durablerunbooks.rollout.ProbeSpec;
import io.durablerunbooks.migrate.MigrateSpec;
import io.durablerunbooks.rollout.RolloutSpec;
import io.durablerunbooks.rollout.Thresholds;
import io.durablerunbooks.postgres.PostgresConnection;
import io.durablerunbooks.restore.RestoreSpec;
import io.durablerunbooks.restoretest.RestoreTestSpec;
import io.durablerunbooks.runbook.ApprovalPolicy;
import io.durablerunbooks.runbook.RunbookHeader;
import io.durablerunbooks.runbook.Runbooks;
import io.durablerunbooks.smoke.AppSmokeSpec;
import io.durablerunbooks.storage.StorageLocation;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
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
    } else if (definition instanceof DeploySpec deploy) {
      lines.addAll(deploy(deploy));
    } else if (definition instanceof RollbackSpec rollback) {
      lines.addAll(rollback(rollback));
    } else if (definition instanceof RolloutSpec rollout) {
      lines.addAll(rollout(rollout));
    } else if (definition instanceof MigrateSpec migrate) {
      lines.addAll(migrate(migrate));
    } else if (definition instanceof CutoverSpec cutover) {
      lines.addAll(cutover(cutover));
    } else if (definition instanceof RollbackCutoverSpec rollback) {
      lines.add("  undoes:       cutover " + rollback.cutover().header().workflowId() + "; PostgreSQL's writes since the switch "
          + (rollback.copyBack() ? "copied back to MySQL" : "refused: the rollback stops and lists them"));
      lines.addAll(cutover(rollback.cutover()).subList(0, 3));
      lines.add(application(rollback.cutover().application()));
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

  private static List<String> deploy(DeploySpec d) {
    List<String> lines = new ArrayList<>();
    lines.add("  release:      " + d.release() + " from " + d.artifact().describe());
    lines.addAll(hosts(d.hosts(), d.only()));
    lines.add("  batches:      " + batches(d));
    lines.add("  failures:     " + failureBudget(d.rollout()));
    lines.add("  hooks:        " + hooks(d.hooks()));
    lines.add("  releases:     the newest " + d.keepReleases() + " kept on each host");
    lines.add("  smoke checks: " + smoke(d.smoke()));
    return lines;
  }

  private static List<String> rollback(RollbackSpec r) {
    List<String> lines = new ArrayList<>();
    lines.add(
        "  release:      "
            + (r.to().isEmpty() ? "back to the newest good release the hosts ran before" : "back to " + r.to())
            + "; the release left is marked bad: " + r.reason());
    lines.addAll(hosts(r.hosts(), List.of()));
    lines.add("  batches:      " + count(r.batchSize(), "host", "hosts") + " at once");
    lines.add("  restart:      " + (r.restart().isEmpty() ? "none" : "within " + Text.duration(r.hookTimeout())));
    lines.add("  smoke checks: " + smoke(r.smoke()));
    return lines;
  }

  private static List<String> migrate(MigrateSpec m) {
    return List.of(
        "  source:       " + m.source().user() + "@" + m.source().host() + ":" + m.source().port() + "/"
            + m.source().database() + ", password " + m.source().password(),
        "  target:       " + database(m.target()) + ", schema " + m.targetSchema(),
        "  tables:       " + (m.include().isEmpty() ? "all" : String.join(", ", m.include()))
            + (m.exclude().isEmpty() ? "" : " except " + String.join(", ", m.exclude()))
            + "; without a primary key: "
            + (m.keylessTables() == MigrateSpec.KeylessTables.REFUSE ? "refused" : "copied whole"),
        "  types:        the type map"
            + (m.columnTypes().isEmpty()
                ? ""
                : ", with " + m.columnTypes().entrySet().stream()
                    .map(e -> e.getKey() + " as " + e.getValue())
                    .sorted()
                    .collect(Collectors.joining(", "))),
        "  copy:         " + m.copy().parallelism() + " ranges at a time, " + m.copy().chunkRows() + " rows each",
        "  delta sync:   "
            + (m.sync().enabled()
                ? (m.sync().watermarks().isEmpty() ? "range checksums" : "watermarks " + m.sync().watermarks() + ", others by range checksums")
                    + ", from " + Durations.format(m.sync().margin()) + " before the copy began"
                : "off"),
        "  verify:       "
            + (m.verify().enabled()
                ? "checksums in both databases, queries of about " + Durations.format(m.verify().queryTime())
                    + ", up to " + m.verify().maxListedRows() + " differing keys listed per table"
                : "off"));
  }

  private static List<String> cutover(CutoverSpec c) {
    List<String> lines = new ArrayList<>(migrate(c.data()).subList(0, 3));
    WatchOptions w = c.watch();
    lines.add("  catch-up:     delta syncs until a round changes at most " + c.catchUp().maxLagRows() + " rows, at most "
        + c.catchUp().maxRounds() + " rounds; " + (c.data().sync().watermarks().isEmpty() ? "range checksums"
            : "watermarks " + c.data().sync().watermarks() + ", others by range checksums"));
    lines.add("  read-only:    MySQL read_only at GO, waiting at most " + Text.duration(c.drainTimeout()) + " for commits");
    lines.add("  backup:       " + storage(c.backup().storage(), c.backup().backupsPrefix()) + " before GO"
        + (c.requiredBackup().required() ? "; a verified backup of " + c.requiredBackup().runbook() + " at most "
            + Text.duration(c.requiredBackup().maxAge()) + " old required first" : ""));
    lines.add(application(c.application()));
    lines.add("  checks:       " + c.application().checks().health() + ", " + c.application().checks().read() + ", a write to "
        + c.application().checks().write() + " found in " + c.application().checks().table() + "." + c.application().checks().column()
        + (c.checks().isEmpty() ? "" : "; " + count(c.checks().size(), "query", "queries"))
        + (c.statistics().isEmpty() ? "" : "; figures compared: " + c.statistics().stream().map(BusinessStat::name).collect(Collectors.joining(", "))));
    lines.add("  watch:        every " + Text.duration(w.interval()) + " for " + Text.duration(w.period()) + ", error rate at most "
        + w.maxErrorRate() * 100 + "%, uptime at least " + w.minUptime() * 100 + "%, p95 within " + w.latencyFactor()
        + "x the baseline; MySQL kept read-only " + Text.duration(w.mysqlRetention()));
    return lines;
  }

  private static String application(ApplicationSpec a) {
    return "  application:  " + a.variable() + " in " + a.envFile() + " on " + a.host().describe() + ", reloaded by '" + a.reload()
        + "', served at " + a.url();
  }

  private static List<String> rollout(RolloutSpec r) {
    NginxTarget n = r.nginx();
    ProbeSpec p = r.probe();
    Thresholds gates = r.promote();
    GuardPolicy guard = r.guard();
    Thresholds limits = guard.limits();
    return List.of(
        "  nginx:        "
            + n.host().describe()
            + ", key "
            + n.access().privateKey()
            + (n.access().hasPassphrase() ? " with passphrase " + n.access().passphrase() : "")
            + ", host keys checked against "
            + n.access().knownHosts(),
        "  split file:   " + n.splitFile() + " sets $" + n.variable() + " to upstream " + n.v1Upstream() + " (V1) or "
            + n.v2Upstream() + " (V2); checked by '" + n.testCommand() + "', reloaded by '" + n.reloadCommand() + "'",
        "  steps:        V2 at " + r.weights().stream().map(w -> w + "%").collect(Collectors.joining(", "))
            + ", each baked " + Text.duration(r.bake())
            + (r.promoteEachStep() && r.weights().size() > 1 ? ", a GO before each step after the first" : ", promoted by the gate alone"),
        "  probe:        " + p.ratePerSecond() + " requests/s to " + p.url() + " through nginx, the version named by "
            + p.header() + "; observations of " + Text.duration(p.window()) + ", each request within "
            + Text.duration(p.timeout()),
        "  gates:        p95 <= " + Durations.format(gates.p95()) + ", error rate < " + percent(gates.errorRate())
            + ", availability >= " + percent(gates.availability()),
        "  guards:       back to V1 when p95 > " + Durations.format(limits.p95()) + " or availability < "
            + percent(limits.availability()) + " for " + Text.duration(guard.sustain()) + ", or error rate > "
            + percent(limits.errorRate()) + " once; missing data: "
            + (guard.missingData() == GuardPolicy.MissingData.PAUSE ? "holds the weight until data returns" : "counts as a breach"),
        "  split check:  " + r.splitSamples() + " requests after each change, V2's share within " + r.splitTolerance()
            + " percentage points of its weight");
  }

  /** A fraction as the file writes it: 0.995 as {@code 99.5%}. */
  private static String percent(double fraction) {
    return BigDecimal.valueOf(fraction).movePointRight(2).stripTrailingZeros().toPlainString() + "%";
  }

  /** @param only the names a deploy's {@code only:} selected the hosts by, or empty */
  private static List<String> hosts(List<HostTarget> targets, List<String> only) {
    List<String> lines = new ArrayList<>();
    HostTarget first = targets.get(0);
    lines.add(
        "  hosts:        "
            + count(targets.size(), "host", "hosts")
            + (only.isEmpty() ? "" : " selected by only: " + String.join(", ", only) + ",")
            + " in this order, key "
            + first.access().privateKey()
            + (first.access().hasPassphrase() ? " with passphrase " + first.access().passphrase() : "")
            + ", host keys checked against "
            + first.access().knownHosts());
    boolean grouped = targets.stream().anyMatch(h -> !h.groups().isEmpty());
    TextTable hosts =
        grouped ? new TextTable("name", "login", "root", "application", "groups") : new TextTable("name", "login", "root", "application");
    targets.forEach(h -> {
      String login = h.host().user() + "@" + h.host().address() + ":" + h.host().port();
      if (grouped) {
        hosts.row(h.name(), login, h.root(), h.appUrl(), String.join(", ", h.groups()));
      } else {
        hosts.row(h.name(), login, h.root(), h.appUrl());
      }
    });
    hosts.render("                ").lines().forEach(lines::add);
    return lines;
  }

  private static String batches(DeploySpec d) {
    RolloutPolicy r = d.rollout();
    int batches = d.batches().size();
    return count(batches, "batch", "batches")
        + " of up to "
        + count(r.batchSize(), "host", "hosts")
        + (r.batchByGroup() ? ", each within one group (a host's first)" : "")
        + (r.approveEachBatch() && batches > 1 ? ", a GO before each batch after the first" : "");
  }

  private static String failureBudget(RolloutPolicy r) {
    return (r.maxFailures() == 0
            ? "the first failed host stops the rollout"
            : "up to " + count(r.maxFailures(), "failed host", "failed hosts") + " tolerated, one more stops the rollout")
        + "; a failed host is rolled back at once"
        + (r.rollbackCompletedOnFailure()
            ? ", and on a stop the hosts already done are rolled back too"
            : ", the hosts already done stay on the new release");
  }

  private static String hooks(DeployHooks h) {
    List<String> present = new ArrayList<>();
    if (!h.install().isEmpty()) {
      present.add("install");
    }
    if (!h.migrateApply().isEmpty()) {
      present.add("migrate (dry run, then apply, once per deploy)");
    }
    if (!h.restart().isEmpty()) {
      present.add("restart");
    }
    return present.isEmpty() ? "none" : String.join(", ", present) + "; each within " + Text.duration(h.timeout());
  }

  private static String smoke(AppSmokeSpec s) {
    Map<String, String> checks = new LinkedHashMap<>();
    checks.put("health", s.health());
    checks.put("frontPage", s.frontPage().isEmpty() || s.expectText().isEmpty() ? s.frontPage() : s.frontPage() + " containing \"" + s.expectText() + "\"");
    checks.put("database", s.database());
    checks.put("staticAsset", s.staticAsset());
    checks.put("databaseRead", s.databaseRead());
    checks.put(
        "latency",
        s.latency().isEmpty()
            ? ""
            : s.latency() + " under " + Text.duration(s.latencyLimit()) + " over " + count(s.latencySamples(), "call", "calls"));
    List<String> enabled = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    checks.forEach((name, what) -> {
      if (what.isEmpty()) {
        skipped.add(name);
      } else {
        enabled.add(name + " " + what);
      }
    });
    return String.join(", ", enabled)
        + (skipped.isEmpty() ? "" : "; skipped: " + String.join(", ", skipped))
        + "; each request within "
        + Text.duration(s.timeout());
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
