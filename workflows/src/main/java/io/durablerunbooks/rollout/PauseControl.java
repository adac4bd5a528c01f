package io.durablerunbooks.rollout;

import io.durablerunbooks.report.StepStatus;
import io.durablerunbooks.runbook.RunbookRun;
import io.temporal.workflow.Workflow;
import java.time.Instant;

/**
 * Pause and resume of a rollout, in one place: the Update validators ask it why not, the handlers
 * switch it, the bake asks it whether to go on. Paused, V2's weight stays and the guards keep
 * judging every observation, but the bake's clock stops and nothing is promoted until a resume.
 * Each pause is a step of the report, from the pause to the resume.
 */
final class PauseControl {

  private final RunbookRun run;
  /** V2's weight being set or held; -1 before the first step of traffic. */
  private int weight = -1;
  /** A promotion waiting for its GO, or 0: the rollout holds already, a pause would mean nothing. */
  private int awaitingGoFor;
  /** Why pause and resume no longer apply (the rollout finished or rolls back); empty while it runs. */
  private String ended = "";
  /** The pause in force, or null. */
  private PauseRecord pause;
  private int pauseStep;
  /** Time spent in the pauses already resumed. */
  private long resumedPausesMillis;

  PauseControl(RunbookRun run) {
    this.run = run;
  }

  /** The rollout sets V2's weight to this: a pause from now on holds it there. */
  void shifting(int weight) {
    this.weight = weight;
  }

  /** A promotion to {@code next} % waits for its GO (0 once decided). */
  void awaitingGo(int next) {
    this.awaitingGoFor = next;
  }

  /**
   * The rollout finished or rolls back: pause and resume are refused from now on, and a pause in
   * force ends with the run.
   *
   * @param why completes "the rollout ...", e.g. {@code finished: all traffic on V2}
   */
  void end(String why) {
    if (pause != null) {
      run.endStep(pauseStep, StepStatus.FAILED, describe(pause) + "; never resumed: the rollout " + why);
      pause = null;
    }
    if (ended.isEmpty()) {
      ended = why;
    }
  }

  boolean paused() {
    return pause != null;
  }

  /** Time paused so far, the pause in force included. */
  long pausedMillis() {
    return resumedPausesMillis + (pause == null ? 0 : Workflow.currentTimeMillis() - pause.at().toEpochMilli());
  }

  /** Update validator: throws to refuse before anything is written to history. */
  void validate(boolean pausing, PauseRequest r) {
    String refusal = refusal(pausing, r);
    if (!refusal.isEmpty()) {
      throw new IllegalArgumentException(refusal);
    }
  }

  private String refusal(boolean pausing, PauseRequest r) {
    if (r == null || r.by() == null || r.by().isBlank()) {
      return "by: required (who " + (pausing ? "pauses" : "resumes") + ")";
    }
    if (!ended.isEmpty()) {
      return "the rollout is not running its steps anymore: it " + ended;
    }
    if (!pausing) {
      return pause == null ? "the rollout is not paused" + (weight < 0 ? "" : " (V2 at " + weight + " %)") : "";
    }
    if (weight < 0) {
      return "the rollout has not shifted any traffic yet: nothing to pause (a NO-GO or runbook cancel stops it before it starts)";
    }
    if (awaitingGoFor > 0) {
      return "the rollout waits for a GO to promote V2 to " + awaitingGoFor + " % and holds at " + weight
          + " % until then: approve when ready, reject to put all traffic back on V1";
    }
    if (pause != null) {
      return "already paused by " + pause.by() + " at " + pause.weight() + " % since " + pause.at()
          + ": runbook resume to go on";
    }
    return "";
  }

  PauseRecord pause(PauseRequest r) {
    pause = new PauseRecord(true, weight, r.by().strip(), comment(r), now());
    pauseStep = run.startStep("Paused by " + pause.by() + " at " + weight + "%", describe(pause)
        + "; the guards keep watching, the bake waits: runbook resume " + Workflow.getInfo().getWorkflowId() + " --as <you>");
    return pause;
  }

  PauseRecord resume(PauseRequest r) {
    PauseRecord resumed = new PauseRecord(false, weight, r.by().strip(), comment(r), now());
    resumedPausesMillis += resumed.at().toEpochMilli() - pause.at().toEpochMilli();
    run.endStep(pauseStep, StepStatus.SUCCEEDED, describe(pause) + "; resumed by " + resumed.by() + " at " + resumed.at()
        + (resumed.comment().isEmpty() ? "" : ": " + resumed.comment()));
    pause = null;
    return resumed;
  }

  private static String describe(PauseRecord p) {
    return "V2 held at " + p.weight() + " % by " + p.by() + " from " + p.at() + (p.comment().isEmpty() ? "" : ": " + p.comment());
  }

  private static String comment(PauseRequest r) {
    return r.comment() == null ? "" : r.comment().strip();
  }

  private static Instant now() {
    return Instant.ofEpochMilli(Workflow.currentTimeMillis());
  }
}
