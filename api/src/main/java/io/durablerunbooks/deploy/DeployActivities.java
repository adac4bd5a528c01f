package io.durablerunbooks.deploy;

import io.durablerunbooks.smoke.AppSmokeResult;
import io.durablerunbooks.smoke.AppSmokeSpec;
import io.durablerunbooks.ssh.CommandResult;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;

/**
 * The steps of a deploy on one host, over SSH; each name shows in the Temporal UI. Each can run
 * twice with the effect of once, since a retried step repeats it.
 */
@ActivityInterface
public interface DeployActivities {

  /**
   * Connects (checking the host key), reads which release {@code current} points to, empty before
   * the first deploy; fails, not retried, when the step's release is marked bad on the host.
   */
  @ActivityMethod(name = "ReadCurrentRelease")
  String readCurrentRelease(HostStep step);

  /** Lists the host's releases, the order it ran them in and the ones marked bad; changes nothing. */
  @ActivityMethod(name = "InspectReleases")
  HostReleaseState inspectReleases(HostStep step);

  /**
   * Marks the step's release bad on the host, with the reason, the time and the run ({@code
   * owner}); a release already marked keeps its first mark. Deploys and rollbacks refuse it.
   */
  @ActivityMethod(name = "MarkReleaseBad")
  void markReleaseBad(HostStep step, String reason);

  /** Takes the host's deploy lock, or confirms this deploy holds it; fails retryably while another holds it. */
  @ActivityMethod(name = "LockHost")
  void lockHost(HostStep step);

  /**
   * Puts the release's files into {@code releases/<release>}: uploads the worker's archive, or has
   * the host download the archive (checking its SHA-256) or check out the commit. A release already
   * there is kept; a failure leaves none.
   *
   * @return true if staged now, false if the release was there already
   */
  @ActivityMethod(name = "StageRelease")
  boolean stageRelease(HostStep step, Artifact artifact);

  /*
   * The hooks: the operator's command run in the release directory. A non-zero exit fails the step,
   * not retried, with the end of its output. One activity type each, so the UI names the phase.
   */

  @ActivityMethod(name = "Install")
  CommandResult install(HostStep step);

  @ActivityMethod(name = "MigrateDryRun")
  CommandResult migrateDryRun(HostStep step);

  @ActivityMethod(name = "MigrateApply")
  CommandResult migrateApply(HostStep step);

  /** The restart or reload hook, after a switch and after a switch back. */
  @ActivityMethod(name = "Restart")
  CommandResult restart(HostStep step);

  /** Points {@code current} at the release in one atomic rename. */
  @ActivityMethod(name = "SwitchRelease")
  void switchRelease(HostStep step);

  /**
   * Waits for the application's health check, then runs the six smoke checks; fails (not retried)
   * naming each failed check with its measured value.
   */
  @ActivityMethod(name = "SmokeCheck")
  AppSmokeResult smokeCheck(HostStep step, AppSmokeSpec smoke);

  @ActivityMethod(name = "UnlockHost")
  void unlockHost(HostStep step);

  /** Deletes all but the newest {@code keep} releases (never the current one); returns what it deleted. */
  @ActivityMethod(name = "PruneReleases")
  List<String> pruneReleases(HostStep step, int keep);
}
