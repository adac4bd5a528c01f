package io.durablerunbooks.cli;

import io.temporal.client.schedules.ScheduleHandle;
import io.temporal.client.schedules.ScheduleListActionStartWorkflow;
import io.temporal.client.schedules.ScheduleListDescription;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    name = "schedule",
    description = {
      "Start runbooks on a cron expression or an interval (Temporal Schedules).",
      "Overlap policy SKIP: a run still going makes the next one skip. Needs the Temporal server,"
          + " not 'runbook dev'."
    },
    subcommands = {ScheduleCreateCommand.class},
    footerHeading = "%nExamples:%n",
    footer = {
      "  runbook schedule create runbooks/local-backup.yaml --cron \"0 3 * * *\"",
      "  runbook schedule describe backup-local-sample"
    })
final class ScheduleCommand implements Callable<Integer> {

  @ParentCommand RunbookCommand root;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "Missing a verb");
  }

  @Command(
      name = "list",
      description = "All schedules of the namespace, with when they run next and last ran.",
      footerHeading = "%nExample:%n",
      footer = "  runbook schedule list")
  int list() {
    try (TemporalConnection temporal = root.connect()) {
      List<ScheduleListDescription> schedules = temporal.schedules().listSchedules().toList();
      if (schedules.isEmpty()) {
        root.out().println("no schedules; create one with runbook schedule create FILE --cron EXPR");
        return ExitCodes.SUCCEEDED;
      }
      TextTable table = new TextTable("SCHEDULE ID", "WORKFLOW", "WHEN", "STATE", "NEXT RUN", "LAST RUN");
      for (ScheduleListDescription s : schedules) {
        table.row(
            s.getScheduleId(),
            s.getSchedule().getAction() instanceof ScheduleListActionStartWorkflow start
                ? start.getWorkflow()
                : Text.NONE,
            String.join("; ", ScheduleView.spec(s.getSchedule().getSpec())),
            s.getSchedule().getState().isPaused() ? "paused" : "active",
            ScheduleView.nextRun(s.getInfo().getNextActionTimes()),
            ScheduleView.lastRun(s.getInfo().getRecentActions()));
      }
      root.out().print(table.render(""));
    }
    return ExitCodes.SUCCEEDED;
  }

  @Command(
      name = "describe",
      description = "A schedule's spec, policy and state, its next run times and its recent actions.",
      footerHeading = "%nExample:%n",
      footer = "  runbook schedule describe backup-local-sample")
  int describe(@Parameters(paramLabel = "ID", description = "Schedule id.") String id) {
    try (TemporalConnection temporal = root.connect()) {
      root.out().print(ScheduleView.describe(temporal.schedules().getHandle(id).describe()));
    }
    return ExitCodes.SUCCEEDED;
  }

  @Command(
      name = "pause",
      description = "Stop a schedule from starting runs until it is unpaused; a run already going goes on.",
      footerHeading = "%nExample:%n",
      footer = "  runbook schedule pause backup-local-sample --note \"database migration tonight\"")
  int pause(
      @Parameters(paramLabel = "ID", description = "Schedule id.") String id,
      @Option(names = "--note", paramLabel = "TEXT", defaultValue = "", description = "Why; shown by describe.")
          String note) {
    return act(id, h -> h.pause(note.isEmpty() ? "paused with runbook schedule pause" : note), "paused");
  }

  @Command(
      name = "unpause",
      description = "Let a paused schedule start runs again.",
      footerHeading = "%nExample:%n",
      footer = "  runbook schedule unpause backup-local-sample")
  int unpause(
      @Parameters(paramLabel = "ID", description = "Schedule id.") String id,
      @Option(names = "--note", paramLabel = "TEXT", defaultValue = "", description = "Why; shown by describe.")
          String note) {
    return act(id, h -> h.unpause(note.isEmpty() ? "unpaused with runbook schedule unpause" : note), "unpaused");
  }

  @Command(
      name = "trigger",
      description = {
        "Start a run of the schedule now.",
        "With overlap SKIP, nothing starts while a run of this schedule is still going."
      },
      footerHeading = "%nExample:%n",
      footer = "  runbook schedule trigger backup-local-sample && runbook list --kind backup --limit 1")
  int trigger(@Parameters(paramLabel = "ID", description = "Schedule id.") String id) {
    return act(id, ScheduleHandle::trigger, "triggered (skipped if a run of it is still going)");
  }

  @Command(
      name = "delete",
      description = "Delete a schedule. Runs it started are not touched.",
      footerHeading = "%nExample:%n",
      footer = "  runbook schedule delete backup-local-sample")
  int delete(@Parameters(paramLabel = "ID", description = "Schedule id.") String id) {
    return act(id, ScheduleHandle::delete, "deleted");
  }

  private int act(String id, Consumer<ScheduleHandle> action, String done) {
    try (TemporalConnection temporal = root.connect()) {
      action.accept(temporal.schedules().getHandle(id));
    }
    root.out().println("schedule " + id + " " + done);
    return ExitCodes.SUCCEEDED;
  }
}
