package io.durablerunbooks.worker;

import io.durablerunbooks.activities.ActivityImplementations;
import io.durablerunbooks.backup.BackupWorkflowImpl;
import io.durablerunbooks.cutover.CutoverWorkflowImpl;
import io.durablerunbooks.cutover.MySqlRetentionWorkflowImpl;
import io.durablerunbooks.cutover.PostCutoverWatchWorkflowImpl;
import io.durablerunbooks.cutover.RollbackCutoverWorkflowImpl;
import io.durablerunbooks.deploy.DeployWorkflowImpl;
import io.durablerunbooks.rollback.RollbackWorkflowImpl;
import io.durablerunbooks.migrate.MigrateDataWorkflowImpl;
import io.durablerunbooks.rollout.RolloutWorkflowImpl;
import io.durablerunbooks.restore.RestoreWorkflowImpl;
import io.durablerunbooks.restoretest.RestoreTestWorkflowImpl;
import io.durablerunbooks.runbook.Runbooks;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;

/**
 * What a worker runs: every runbook workflow and every activity, on the runbooks task queue. The
 * Spring Boot worker and the CLI's dev mode both register through here, so they never differ.
 */
public final class RunbookWorker {

  /**
   * Dumps and restores are CPU- and I/O-heavy; a handful at a time per worker keeps each one fast
   * instead of starving all of them.
   */
  public static final int DEFAULT_MAX_CONCURRENT_ACTIVITIES = 4;

  private RunbookWorker() {}

  public static Worker register(WorkerFactory factory, ActivityImplementations activities) {
    return register(factory, activities, Runbooks.TASK_QUEUE, DEFAULT_MAX_CONCURRENT_ACTIVITIES);
  }

  public static Worker register(
      WorkerFactory factory, ActivityImplementations activities, String taskQueue, int maxConcurrentActivities) {
    if (maxConcurrentActivities < 1) {
      throw new IllegalArgumentException(
          "RUNBOOKS_MAX_CONCURRENT_ACTIVITIES: must be at least 1, got " + maxConcurrentActivities);
    }
    Worker worker =
        factory.newWorker(
            taskQueue,
            WorkerOptions.newBuilder().setMaxConcurrentActivityExecutionSize(maxConcurrentActivities).build());
    worker.registerWorkflowImplementationTypes(
        BackupWorkflowImpl.class, RestoreWorkflowImpl.class, RestoreTestWorkflowImpl.class, DeployWorkflowImpl.class,
        RollbackWorkflowImpl.class, RolloutWorkflowImpl.class, MigrateDataWorkflowImpl.class,
        CutoverWorkflowImpl.class, RollbackCutoverWorkflowImpl.class, PostCutoverWatchWorkflowImpl.class, MySqlRetentionWorkflowImpl.class);
    worker.registerActivitiesImplementations(activities.all());
    return worker;
  }
}
