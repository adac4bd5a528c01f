package io.durablerunbooks.worker;

import io.durablerunbooks.temporal.TemporalSettings;
import io.temporal.worker.WorkerFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Starts polling once the application is up and, on shutdown, stops taking new tasks and gives
 * running steps time to finish; a step cut short is retried elsewhere by Temporal.
 */
class WorkerLifecycle implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(WorkerLifecycle.class);

  private final WorkerFactory factory;
  private final TemporalSettings settings;
  private final Duration drain;
  private volatile boolean running;

  WorkerLifecycle(WorkerFactory factory, TemporalSettings settings, Duration drain) {
    this.factory = factory;
    this.settings = settings;
    this.drain = drain;
  }

  @Override
  public void start() {
    factory.start();
    running = true;
    log.info("worker polling {}", settings);
  }

  @Override
  public void stop() {
    factory.shutdown();
    factory.awaitTermination(drain.toMillis(), TimeUnit.MILLISECONDS);
    running = false;
    log.info("worker stopped");
  }

  @Override
  public boolean isRunning() {
    return running;
  }
}
