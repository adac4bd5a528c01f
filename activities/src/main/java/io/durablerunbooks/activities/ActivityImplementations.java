package io.durablerunbooks.activities;

import io.durablerunbooks.backup.BackupActivitiesImpl;
import io.durablerunbooks.backup.Manifests;
import io.durablerunbooks.cutover.CutoverActivitiesImpl;
import io.durablerunbooks.cutover.WatchActivitiesImpl;
import io.durablerunbooks.deploy.DeployActivitiesImpl;
import io.durablerunbooks.migrate.MigrateActivitiesImpl;
import io.durablerunbooks.rollout.HttpProbe;
import io.durablerunbooks.rollout.RolloutActivitiesImpl;
import io.durablerunbooks.notify.NotifyActivitiesImpl;
import io.durablerunbooks.postgres.PgTools;
import io.durablerunbooks.postgres.PostgresPools;
import io.durablerunbooks.restore.RestoreActivitiesImpl;
import io.durablerunbooks.secrets.SecretResolver;
import io.durablerunbooks.smoke.AppSmokeChecks;
import io.durablerunbooks.storage.S3Clients;
import io.durablerunbooks.storage.StoredObjects;
import java.nio.file.Path;

/**
 * Every activity implementation of the product, wired together, for the worker to register. Owns
 * the database pools and S3 clients; closing it closes them.
 */
public final class ActivityImplementations implements AutoCloseable {

  private final PostgresPools pools;
  /** The migration's own pools: its copies and verifications hold many connections at once. */
  private final PostgresPools migratePools;
  private final S3Clients s3;
  private final BackupActivitiesImpl backup;
  private final RestoreActivitiesImpl restore;
  private final NotifyActivitiesImpl notify;
  private final DeployActivitiesImpl deploy;
  private final RolloutActivitiesImpl rollout;
  private final MigrateActivitiesImpl migrate;
  private final CutoverActivitiesImpl cutover;
  private final WatchActivitiesImpl watch;

  private ActivityImplementations(SecretResolver secrets) {
    this.pools = new PostgresPools(secrets);
    this.s3 = new S3Clients(secrets);
    StoredObjects objects = new StoredObjects(s3);
    Manifests manifests = new Manifests(objects);
    PgTools tools = new PgTools(Path.of("/usr/lib/postgresql"), secrets.variable("PATH", "/usr/bin:/bin"));
    this.backup = new BackupActivitiesImpl(pools, tools, objects, manifests);
    this.restore = new RestoreActivitiesImpl(pools, tools, objects, manifests);
    this.notify = new NotifyActivitiesImpl(secrets, NotifyActivitiesImpl.defaultHttpClient());
    this.deploy = new DeployActivitiesImpl(secrets, new AppSmokeChecks(AppSmokeChecks.defaultHttpClient()));
    this.rollout = new RolloutActivitiesImpl(secrets, RolloutActivitiesImpl.defaultHttpClient());
    this.migratePools = new PostgresPools(secrets, MigrateActivitiesImpl.TARGET_CONNECTIONS);
    this.migrate = new MigrateActivitiesImpl(secrets, migratePools);
    this.cutover = new CutoverActivitiesImpl(secrets, migratePools, HttpProbe.defaultHttpClient());
    this.watch = new WatchActivitiesImpl(pools, HttpProbe.defaultHttpClient());
  }

  /** Reads nothing but the worker's environment, through the {@link SecretResolver}. */
  public static ActivityImplementations create() {
    return create(SecretResolver.fromEnvironment());
  }

  public static ActivityImplementations create(SecretResolver secrets) {
    return new ActivityImplementations(secrets);
  }

  /**
   * What the worker registers: the backup, restore, deploy, rollout, migrate, cutover, post-cutover
   * watch and notification activities.
   */
  public Object[] all() {
    return new Object[] {backup, restore, deploy, rollout, migrate, cutover, watch, notify};
  }

  public BackupActivitiesImpl backup() {
    return backup;
  }

  public RestoreActivitiesImpl restore() {
    return restore;
  }

  public DeployActivitiesImpl deploy() {
    return deploy;
  }

  public NotifyActivitiesImpl notifications() {
    return notify;
  }

  @Override
  public void close() {
    pools.close();
    migratePools.close();
    s3.close();
  }
}
