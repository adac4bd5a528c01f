package io.durablerunbooks.cutover;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** The post-cutover watch's look at the application and at PostgreSQL. */
@ActivityInterface
public interface WatchActivities {

  /**
   * The health check, {@code probeRequests} requests to the read path, pg_stat_statements'
   * statements slower on average than {@code slowQuery}, and each table's dead rows. A part that
   * cannot be measured counts as failing (an unreachable database is no sign of health).
   */
  @ActivityMethod(name = "SamplePostCutover")
  WatchSample sample(WatchSpec spec);
}
