package io.durablerunbooks.deploy;

import java.time.Duration;
import java.util.Objects;

/**
 * The operator's commands, run by {@code sh -c} on the hosts; an empty one is skipped. Each runs
 * with RELEASE_ID, RELEASE_DIR, DEPLOY_ROOT and SHARED_DIR in its environment.
 *
 * @param install run in the new release directory on every host before the switch (build,
 *     dependencies)
 * @param migrateDryRun run once per deploy, on the first host, before {@code migrateApply}
 * @param migrateApply run once per deploy, on the first host, after its dry run succeeded
 * @param restart run on every host after the switch, and after a switch back
 * @param timeout how long any one hook may run
 */
public record DeployHooks(String install, String migrateDryRun, String migrateApply, String restart, Duration timeout) {

  public DeployHooks {
    Objects.requireNonNull(install, "install");
    Objects.requireNonNull(migrateDryRun, "migrateDryRun");
    Objects.requireNonNull(migrateApply, "migrateApply");
    Objects.requireNonNull(restart, "restart");
    Objects.requireNonNull(timeout, "timeout");
  }
}
