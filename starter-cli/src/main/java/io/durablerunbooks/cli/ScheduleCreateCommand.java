package io.durablerunbooks.cli;

import io.durablerunbooks.definition.RunbookDefinition;
import io.durablerunbooks.runbook.RunContext;
import io.durablerunbooks.runbook.RunbookHeader;
import io.temporal.api.enums.v1.ScheduleOverlapPolicy;
import io.temporal.client.schedules.Schedule;
import io.temporal.client.schedules.ScheduleActionStartWorkflow;
import io.temporal.client.schedules.ScheduleAlreadyRunningException;
import io.temporal.client.schedules.ScheduleHandle;
import io.temporal.client.schedules.ScheduleIntervalSpec;
import io.temporal.client.schedules.ScheduleOptions;
import io.temporal.client.schedules.SchedulePolicy;
import io.temporal.client.schedules.ScheduleSpec;
import io.temporal.client.schedules.ScheduleState;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "create",
    description = {
      "Validate a runbook file and create a Schedule that starts it.",
      "Runs start as initiator '" + RunContext.SCHEDULER + "' with workflow id <kind>/<name>-<time>;"
          + " overlap policy SKIP."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  runbook schedule create runbooks/local-backup.yaml --cron \"0 3 * * *\" --catchup-window 2h",
      "  runbook schedule create runbooks/local-restore-test.yaml --every 24h --paused"
    })
final class ScheduleCreateCommand implements Callable<Integer> {

  /** Temporal refuses shorter catch-up windows. */
  static final Duration MIN_CATCHUP_WINDOW = Duration.ofSeconds(10);

  @ParentCommand ScheduleCommand schedule;

  @Mixin RunbookFileArgs runbook;

  @ArgGroup(exclusive = true, multiplicity = "1")
  When when;

  static final class When {
    @Option(
        names = "--cron",
        required = true,
        paramLabel = "EXPR",
        description = "Cron expression, in UTC, e.g. \"0 3 * * *\".")
    String cron;

    @Option(
        names = "--every",
        required = true,
        paramLabel = "DURATION",
        converter = DurationConverter.class,
        description = "Interval, e.g. 24h or 30m.")
    Duration every;
  }

  @Option(
      names = "--catchup-window",
      paramLabel = "DURATION",
      defaultValue = "1h",
      converter = DurationConverter.class,
      description = "How late a missed run (server down) may still start (default ${DEFAULT-VALUE}).")
  Duration catchupWindow;

  @Option(names = "--id", paramLabel = "ID", description = "Schedule id (default <kind>-<name>).")
  Optional<String> id;

  @Option(names = "--paused", description = "Create it paused; runbook schedule unpause starts it.")
  boolean paused;

  @Override
  public Integer call() {
    RunbookDefinition definition = runbook.load();
    if (catchupWindow.compareTo(MIN_CATCHUP_WINDOW) < 0) {
      throw new CliException(
          ExitCodes.BAD_INPUT, "--catchup-window: expected at least 10s, got " + Text.duration(catchupWindow));
    }
    if (when.every != null && when.every.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new CliException(ExitCodes.BAD_INPUT, "--every: expected an interval of 1s or more");
    }
    RunbookHeader header = definition.header();
    String scheduleId = id.orElse(header.kind().id() + "-" + header.name());
    RunbookCommand root = schedule.root;
    String creator = root.initiator(Optional.empty());
    Schedule plan =
        Schedule.newBuilder()
            .setAction(
                ScheduleActionStartWorkflow.newBuilder()
                    .setWorkflowType(Launch.workflowType(definition))
                    .setArguments(Launch.request(definition, new RunContext(RunContext.SCHEDULER, false)))
                    .setOptions(Launch.options(definition, RunContext.SCHEDULER, root.settings().taskQueue()).build())
                    .build())
            .setSpec(spec())
            .setPolicy(
                SchedulePolicy.newBuilder()
                    .setOverlap(ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_SKIP)
                    .setCatchupWindow(catchupWindow)
                    .build())
            .setState(
                ScheduleState.newBuilder()
                    .setPaused(paused)
                    .setNote("created by " + creator + " from " + runbook.file)
                    .build())
            .build();
    try (TemporalConnection temporal = root.connect()) {
      ScheduleHandle handle;
      try {
        handle = temporal.schedules().createSchedule(scheduleId, plan, ScheduleOptions.newBuilder().build());
      } catch (ScheduleAlreadyRunningException e) {
        throw new CliException(
            ExitCodes.BAD_INPUT,
            "schedule " + scheduleId + " already exists: runbook schedule describe " + scheduleId
                + ", or choose another id with --id");
      }
      root.out().println("created schedule " + scheduleId + (paused ? " (paused)" : ""));
      root.out().print(ScheduleView.describe(handle.describe()));
    }
    return ExitCodes.SUCCEEDED;
  }

  private ScheduleSpec spec() {
    ScheduleSpec.Builder spec = ScheduleSpec.newBuilder();
    if (when.cron != null) {
      spec.setCronExpressions(List.of(when.cron));
    } else {
      spec.setIntervals(List.of(new ScheduleIntervalSpec(when.every)));
    }
    return spec.build();
  }
}
