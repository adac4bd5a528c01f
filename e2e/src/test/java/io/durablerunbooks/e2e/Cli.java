package io.durablerunbooks.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The runbook command as a user runs it: bin/runbook in its own process. */
final class Cli {

  record Result(int exitCode, String out, String err) {
    String all() {
      return out + err;
    }
  }

  private final String taskQueue;

  Cli(String taskQueue) {
    this.taskQueue = taskQueue;
  }

  Result run(String... args) {
    List<String> command = new ArrayList<>();
    command.add(Stack.REPO.resolve("bin/runbook").toString());
    command.addAll(List.of(args));
    try {
      ProcessBuilder builder = new ProcessBuilder(command);
      builder.environment().put("TEMPORAL_ADDRESS", Stack.TEMPORAL);
      builder.environment().put("RUNBOOKS_TASK_QUEUE", taskQueue);
      builder.environment().put("RUNBOOK_USER", "e2e-operator");
      Process p = builder.start();
      p.getOutputStream().close();
      CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
      CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
      if (!p.waitFor(10, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new AssertionError("runbook " + String.join(" ", args) + " did not finish in 10 minutes");
      }
      return new Result(p.exitValue(), out.join(), err.join());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String read(java.io.InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
