package io.durablerunbooks.activities;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Threads that never keep a worker's JVM alive, named for thread dumps. */
public final class DaemonThreads {

  private DaemonThreads() {}

  public static ThreadFactory named(String name) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, name + " #" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
