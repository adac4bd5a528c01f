package io.durablerunbooks.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.durablerunbooks.cutover.CutoverWorkflow;
import io.durablerunbooks.report.Outcome;
import io.durablerunbooks.report.RunbookProgress;
import io.durablerunbooks.report.RunbookReport;
import io.durablerunbooks.report.StepStatus;
import io.durablerunbooks.runbook.RunbookWorkflow;
import io.temporal.client.WorkflowFailedException;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What the cutover end-to-end tests do as an operator and an approver would: the CLI and a Temporal client. */
final class Cutovers {

  static final Path RUNBOOKS = Stack.REPO.resolve("runbooks");

  private final E2eSession e2e;

  Cutovers(E2eSession e2e) {
    this.e2e = e2e;
  }

  /** The store reset to an empty MySQL, then the session closed (it may not have opened). */
  static void leaveTheStoreAsFound(E2eSession e2e) throws Exception {
    try {
      StoreApp.reset(0);
    } finally {
      if (e2e != null) {
        e2e.close();
      }
    }
  }

  /** The store's copy in PostgreSQL, made by migrate-data as an operator would, before a cutover. */
  void copyStore(String name) {
    Cli.Result copy = start("local-cutover-copy.yaml", "name=" + name + "-copy", "--watch");
    assertThat(copy.exitCode()).as(copy.all()).isZero();
  }

  /** {@code runbook start} of a file in runbooks/: {@code k=v} arguments become {@code --set k=v}, {@code --x} stay flags. */
  Cli.Result start(String file, String... sets) {
    List<String> args = new ArrayList<>(List.of("start", RUNBOOKS.resolve(file).toString()));
    for (String s : sets) {
      if (!s.startsWith("--")) {
        args.add("--set");
      }
      args.add(s);
    }
    return e2e.cli().run(args.toArray(String[]::new));
  }

  /** GO from alice through the CLI as soon as the run's gate {@code gate} is open. */
  void approve(String id, String gate) throws InterruptedException {
    RunbookWorkflow run = e2e.temporal().newWorkflowStub(CutoverWorkflow.class, id);
    for (int i = 0; i < 1200; i++) {
      RunbookProgress p = run.progress();
      if (p.outcome() != null && p.outcome() != Outcome.RUNNING) {
        throw new AssertionError(id + " ended " + p.outcome() + " before " + gate + ": " + p.steps().stream()
            .filter(st -> st.status() == StepStatus.FAILED).map(st -> st.name() + ": " + st.detail()).toList());
      }
      if (p.gate().open() && p.steps().stream().anyMatch(s -> s.name().equals(gate))) {
        Cli.Result go = e2e.cli().run("approve", id, "--as", "alice", "--comment", "e2e");
        assertThat(go.exitCode()).as(go.all()).isZero();
        return;
      }
      Thread.sleep(250);
    }
    throw new AssertionError(id + " never opened " + gate);
  }

  /** The run's report, also when it ended failed or rolled back (the report rides on the failure). */
  RunbookReport result(String id) {
    try {
      return e2e.temporal().newUntypedWorkflowStub(id).getResult(RunbookReport.class);
    } catch (WorkflowFailedException e) {
      if (e.getCause() instanceof ApplicationFailure f && f.getDetails().getSize() > 0) {
        return f.getDetails().get(RunbookReport.class);
      }
      throw e;
    }
  }

  void assertNoSecretIn(String id) {
    String history = e2e.historyBytes(id);
    for (String secret : List.of("mariadb-password", "pg-password", "store-app-password")) {
      assertThat(history).as(secret + " in the history of " + id).doesNotContain(Stack.secret(secret));
    }
  }
}
