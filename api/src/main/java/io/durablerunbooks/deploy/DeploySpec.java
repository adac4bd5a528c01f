package io.durablerunbooks.deploy;

import io.durablerunbooks.definition.RunbookDefinition;
import io.durablerunbooks.runbook.RunbookHeader;
import io.durablerunbooks.smoke.AppSmokeSpec;
import java.util.List;
import java.util.Objects;

/**
 * A validated {@code kind: deploy} runbook file.
 *
 * @param release the release identifier, the directory name under {@code releases/}
 * @param artifact path, on the worker, of a {@code .tar.gz} of the release's files
 * @param hosts in rollout order
 * @param keepReleases releases kept on each host after a successful deploy, the new one included
 */
public record DeploySpec(
    RunbookHeader header,
    String release,
    String artifact,
    List<HostTarget> hosts,
    RolloutPolicy rollout,
    DeployHooks hooks,
    int keepReleases,
    AppSmokeSpec smoke)
    implements RunbookDefinition {

  public DeploySpec {
    Objects.requireNonNull(header, "header");
    ReleaseId.require(release);
    Objects.requireNonNull(artifact, "artifact");
    hosts = List.copyOf(hosts);
    Objects.requireNonNull(rollout, "rollout");
    Objects.requireNonNull(hooks, "hooks");
    Objects.requireNonNull(smoke, "smoke");
    if (hosts.isEmpty()) {
      throw new IllegalArgumentException("a deploy needs at least one host");
    }
    if (keepReleases < 2) {
      throw new IllegalArgumentException("keepReleases must be 2 or more, so the previous release stays for a rollback");
    }
  }
}
