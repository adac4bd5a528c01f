package io.durablerunbooks.cli;

import io.durablerunbooks.runbook.Runbooks;
import io.durablerunbooks.temporal.TemporalSettings;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/** The {@code runbook} command: start, watch, approve and audit runbooks run as Temporal workflows. */
@Command(
    name = "runbook",
    description = {
      "Runs risky operations procedures (backups, restores, ...) as durable Temporal workflows: every"
          + " step retried and recorded, approvals validated, the whole history auditable."
    },
    subcommands = {
      ValidateCommand.class,
      StartCommand.class,
      WatchCommand.class,
      ApproveCommand.class,
      RejectCommand.class,
      PauseCommand.class,
      ResumeCommand.class,
      CancelCommand.class,
      ListCommand.class,
      HistoryCommand.class,
      ReportCommand.class,
      ScheduleCommand.class,
      DevCommand.class
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      ExitCodes.SUCCEEDED + ":the run succeeded, or the command did what it was asked",
      ExitCodes.FAILED + ":the run failed, or Temporal could not be reached",
      ExitCodes.BAD_INPUT + ":bad input: invalid runbook file or option, unknown workflow id, refused approval, pause or resume",
      ExitCodes.STOPPED + ":the run was rejected (NO-GO or approval timeout), rolled back or cancelled"
    },
    footerHeading = "%nEnvironment:%n",
    footer = {
      "  TEMPORAL_ADDRESS     Temporal frontend host:port (default " + TemporalSettings.DEFAULT_ADDRESS + ")",
      "  TEMPORAL_NAMESPACE   namespace (default " + TemporalSettings.DEFAULT_NAMESPACE + ")",
      "  RUNBOOKS_TASK_QUEUE  task queue runs are started on (default " + Runbooks.TASK_QUEUE + ")",
      "  TEMPORAL_TLS_CERT, TEMPORAL_TLS_KEY, TEMPORAL_TLS_CA, TEMPORAL_API_KEY",
      "                       mTLS or API key for a hosted Temporal (as for the temporal CLI)",
      "  TEMPORAL_UI_URL      base of the links printed (default " + RunbookCommand.DEFAULT_UI_URL + ")",
      "  RUNBOOK_USER         who you are when --as is not given (default: the OS user)",
      "  RUNBOOK_LOG_LEVEL    log level of the Temporal SDK and the dev worker (default WARN)",
      "",
      "Example:",
      "  runbook start runbooks/local-backup.yaml --watch"
    })
public final class RunbookCommand implements Callable<Integer> {

  static final String DEFAULT_UI_URL = "http://127.0.0.1:8233";

  private static final int USAGE_WIDTH = 100;

  @Spec CommandSpec spec;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      scope = ScopeType.INHERIT,
      description = "Show this help and exit.")
  boolean help;

  @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Print the stack trace of an error.")
  boolean verbose;

  private final Map<String, String> environment;

  RunbookCommand(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
  }

  public static void main(String[] args) {
    CommandLine line = newCommandLine(System.getenv());
    int exitCode = line.execute(args);
    line.getOut().flush();
    line.getErr().flush();
    System.exit(exitCode);
  }

  /** The command line with its error handling, reading its settings from {@code environment}. */
  public static CommandLine newCommandLine(Map<String, String> environment) {
    RunbookCommand root = new RunbookCommand(environment);
    CommandLine line = new CommandLine(root);
    line.setUsageHelpWidth(USAGE_WIDTH);
    line.setUsageHelpAutoWidth(true);
    line.setExecutionExceptionHandler((e, failed, parsed) -> root.handle(e, failed.getErr()));
    line.setParameterExceptionHandler(RunbookCommand::badUsage);
    return line;
  }

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "Missing a verb");
  }

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  TemporalSettings settings() {
    return TemporalSettings.fromMap(environment);
  }

  TemporalConnection connect() {
    return TemporalConnection.open(settings());
  }

  /** Who runs the command: {@code --as}, else {@code $RUNBOOK_USER}, else the OS user. */
  String initiator(Optional<String> as) {
    String who =
        as.orElseGet(() -> environment.getOrDefault("RUNBOOK_USER", System.getProperty("user.name", "")));
    if (who.isBlank()) {
      throw new CliException(ExitCodes.BAD_INPUT, "who are you? pass --as USER or set RUNBOOK_USER");
    }
    return who.strip();
  }

  /** The run's page in the Temporal UI. */
  String uiLink(String namespace, String workflowId, String runId) {
    return uiLink(environment.getOrDefault("TEMPORAL_UI_URL", DEFAULT_UI_URL), namespace, workflowId, runId);
  }

  static String uiLink(String base, String namespace, String workflowId, String runId) {
    String root = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    return root + "/namespaces/" + encode(namespace) + "/workflows/" + encode(workflowId) + "/" + encode(runId)
        + "/history";
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** Redraw with ANSI escapes only on a real terminal; a log or a pipe gets one line per change. */
  boolean interactive() {
    return System.console() != null && !"dumb".equals(environment.getOrDefault("TERM", ""));
  }

  /** A usage mistake: one line saying what is wrong and where the help is, not the whole help. */
  private static int badUsage(ParameterException e, String[] args) {
    CommandLine failed = e.getCommandLine();
    PrintWriter err = failed.getErr();
    err.println("runbook: " + e.getMessage());
    UnmatchedArgumentException.printSuggestions(e, err);
    err.println("see '" + failed.getCommandSpec().qualifiedName() + " --help'");
    err.flush();
    return failed.getCommandSpec().exitCodeOnInvalidInput();
  }

  private int handle(Exception e, PrintWriter err) {
    String address = environment.getOrDefault("TEMPORAL_ADDRESS", TemporalSettings.DEFAULT_ADDRESS);
    ErrorMessages.Problem problem = ErrorMessages.describe(e, address);
    err.println("runbook: " + problem.message());
    if (verbose) {
      e.printStackTrace(err);
    }
    err.flush();
    return problem.exitCode();
  }
}
