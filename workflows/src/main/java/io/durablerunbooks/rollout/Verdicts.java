package io.durablerunbooks.rollout;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Judges observations against the guards and the promotion gate. Keeps the observations of the
 * current step, since p95 and availability breach only when sustained: every observation across
 * the sustain window breaching. Data missing for V2 never passes.
 */
final class Verdicts {

  /** What the guard says of the newest observation. */
  enum Guard { HOLDS, BREACHING, ROLL_BACK, NO_DATA }

  private final GuardPolicy guard;
  private final Thresholds gate;
  private final List<Observation> step = new ArrayList<>();
  private Instant breachingSince;
  private String breach = "";

  Verdicts(GuardPolicy guard, Thresholds gate) {
    this.guard = guard;
    this.gate = gate;
  }

  /** A new step: earlier observations no longer count. */
  void newStep() {
    step.clear();
    breachingSince = null;
    breach = "";
  }

  Guard judge(Observation o) {
    step.add(o);
    Thresholds limits = guard.limits();
    if (o.v2().requests() == 0) {
      return Guard.NO_DATA;
    }
    VersionStats v2 = v2(o);
    if (v2.errorRate() > limits.errorRate()) {
      breach = "V2 error rate " + percent(v2.errorRate()) + " over the guard's " + percent(limits.errorRate());
      breachingSince = Instant.parse(o.startedAt());
      return Guard.ROLL_BACK;
    }
    String sustained = "";
    if (v2.p95Millis() > limits.p95().toMillis()) {
      sustained = "V2 p95 " + v2.p95Millis() + " ms over the guard's " + limits.p95().toMillis() + " ms";
    } else if (availability(o) < limits.availability()) {
      sustained = "V2 availability " + percent(availability(o)) + " under the guard's " + percent(limits.availability());
    }
    if (sustained.isEmpty()) {
      breachingSince = null;
      return Guard.HOLDS;
    }
    if (breachingSince == null) {
      breachingSince = Instant.parse(o.startedAt());
    }
    Duration lasting = Duration.between(breachingSince, Instant.parse(o.endedAt()));
    breach = sustained + " for " + lasting.toMillis() / 1000 + " s";
    return lasting.compareTo(guard.sustain()) >= 0 ? Guard.ROLL_BACK : Guard.BREACHING;
  }

  /**
   * V2 as the guards see it: a request no version answered while V2 answered others counts as a
   * failure of V2, since it may have been V2's. When no version answered at all, the source is
   * down, and that is missing data.
   */
  private static VersionStats v2(Observation o) {
    VersionStats v2 = o.v2();
    return new VersionStats(v2.requests() + o.unattributed(), v2.failed() + o.unattributed(), v2.p95Millis());
  }

  /** Why the guard breaches, after {@link #judge} said so. */
  String breach() {
    return breach;
  }

  /** When the breach that rolls back began: its first breaching observation's start. */
  Instant breachingSince() {
    return breachingSince;
  }

  /** The promotion gate on the step's newest observation; empty when it passes, else why not. */
  String gateProblem() {
    if (step.isEmpty() || step.get(step.size() - 1).v2().requests() == 0) {
      return "no data for V2 in the step's last observation";
    }
    Observation last = step.get(step.size() - 1);
    VersionStats v2 = v2(last);
    List<String> problems = new ArrayList<>();
    if (v2.p95Millis() > gate.p95().toMillis()) {
      problems.add("V2 p95 " + v2.p95Millis() + " ms over " + gate.p95().toMillis() + " ms");
    }
    if (v2.errorRate() >= gate.errorRate() && v2.failed() > 0) {
      problems.add("V2 error rate " + percent(v2.errorRate()) + " not under " + percent(gate.errorRate()));
    }
    if (availability(last) < gate.availability()) {
      problems.add("V2 availability " + percent(availability(last)) + " under " + percent(gate.availability()));
    }
    return String.join("; ", problems);
  }

  /** The evaluation as the report shows it: values, thresholds, verdict. */
  String describe(Observation o, Guard verdict) {
    VersionStats v2 = v2(o);
    VersionStats v1 = o.v1();
    Thresholds limits = guard.limits();
    return "V2 " + v2.requests() + " requests, p95 " + v2.p95Millis() + " ms (guard " + limits.p95().toMillis() + ", gate "
        + gate.p95().toMillis() + "), errors " + percent(v2.errorRate()) + " (guard " + percent(limits.errorRate()) + ", gate "
        + percent(gate.errorRate()) + "), availability " + percent(availability(o)) + " over the sustain window (guard "
        + percent(limits.availability()) + ", gate " + percent(gate.availability()) + "); V1 " + v1.requests() + " requests, p95 "
        + v1.p95Millis() + " ms, errors " + percent(v1.errorRate())
        + (o.unattributed() > 0 ? "; " + o.unattributed() + " requests answered by neither" : "")
        + (o.problem().isEmpty() ? "" : "; " + o.problem()) + ": " + verdict(verdict);
  }

  private String verdict(Guard g) {
    return switch (g) {
      case HOLDS -> "guard holds";
      case BREACHING -> "breaching (" + breach + "), not yet sustained";
      case ROLL_BACK -> "ROLL BACK: " + breach;
      case NO_DATA -> "no data for V2: a failing observation";
    };
  }

  /** V2's share of successful requests over the observations of the sustain window ending at o. */
  private double availability(Observation o) {
    Instant from = Instant.parse(o.endedAt()).minus(guard.sustain());
    int requests = 0;
    int failed = 0;
    for (Observation s : step) {
      if (!Instant.parse(s.endedAt()).isBefore(from) || s == o) {
        requests += v2(s).requests();
        failed += v2(s).failed();
      }
    }
    return requests == 0 ? 0 : 1.0 - (double) failed / requests;
  }

  static String percent(double fraction) {
    return String.format(java.util.Locale.ROOT, "%.1f %%", fraction * 100);
  }
}
