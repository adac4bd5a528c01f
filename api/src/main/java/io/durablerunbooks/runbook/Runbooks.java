package io.durablerunbooks.runbook;

/** Names shared by the worker, the CLI and the Temporal server's configuration. */
public final class Runbooks {

  public static final String TASK_QUEUE = "runbooks";

  /** Keyword search attributes; the stack script registers them on the server. */
  public static final String SA_KIND = "RunbookKind";
  public static final String SA_NAME = "RunbookName";
  public static final String SA_ENVIRONMENT = "RunbookEnvironment";
  public static final String SA_OUTCOME = "RunbookOutcome";
  public static final String SA_INITIATOR = "RunbookInitiator";

  public static final String[] SEARCH_ATTRIBUTES = {
    SA_KIND, SA_NAME, SA_ENVIRONMENT, SA_OUTCOME, SA_INITIATOR
  };

  /** Signal operators send from {@code temporal workflow signal} or the UI. */
  public static final String APPROVAL_SIGNAL = "approval";
  /** Update the CLI sends: validated before it is accepted, answered at once. */
  public static final String APPROVAL_UPDATE = "decide";
  /** Updates a rollout answers: hold V2's weight and stop the bake, then go on. */
  public static final String PAUSE_UPDATE = "pause";
  public static final String RESUME_UPDATE = "resume";
  public static final String PROGRESS_QUERY = "progress";

  private Runbooks() {}
}
