package io.durablerunbooks.runbook;

import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Supplier;

/** Steps run side by side inside a workflow, a bounded number at a time. */
public final class Parallel {

  private Parallel() {}

  /**
   * Runs the queued tasks, at most {@code parallelism} at once; a task may queue more as it ends.
   * On a failure no new task starts and the ones in flight are waited for, so a compensation never
   * races a step still writing; then the first failure is thrown.
   */
  public static void run(int parallelism, Deque<Supplier<Promise<Void>>> work) {
    List<Promise<Void>> inFlight = new ArrayList<>();
    RuntimeException failed = null;
    while (failed == null && (!work.isEmpty() || !inFlight.isEmpty())) {
      if (!work.isEmpty() && inFlight.size() < parallelism) {
        inFlight.add(work.poll().get());
        continue;
      }
      Workflow.await(() -> inFlight.stream().anyMatch(Promise::isCompleted));
      for (Promise<Void> p : List.copyOf(inFlight)) {
        if (p.isCompleted()) {
          inFlight.remove(p);
          if (p.getFailure() != null && failed == null) {
            failed = p.getFailure();
          }
        }
      }
    }
    for (Promise<Void> p : inFlight) {
      try {
        p.get();
      } catch (RuntimeException e) {
        if (failed == null) {
          failed = e;
        }
      }
    }
    if (failed != null) {
      throw failed;
    }
  }
}
