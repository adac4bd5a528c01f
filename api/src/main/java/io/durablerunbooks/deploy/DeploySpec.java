package io.durablerunbooks.deploy;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import io.durablerunbooks.definition.RunbookDefinition;
import io.durablerunbooks.runbook.RunbookHeader;
import io.durablerunbooks.smoke.AppSmokeSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A validated {@code kind: deploy} runbook file.
 *
 * @param release the release identifier, the directory name under {@code releases/}
 * @param artifact where the release's files come from
 * @param hosts the hosts this run deploys to, in rollout order: the inventory, or the part of it
 *     {@code only} selects
 * @param only the host and group names the run is limited to, as the file says them; empty for
 *     the whole inventory (and in deploys started before {@code only} existed)
 * @param keepReleases releases kept on each host after a successful deploy, the new one included
 */
public record DeploySpec(
    RunbookHeader header,
    String release,
    Artifact artifact,
    List<HostTarget> hosts,
    @JsonSetter(nulls = Nulls.AS_EMPTY) List<String> only,
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
    only = List.copyOf(only);
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

  /**
   * The hosts in the batches the rollout deploys them in: runs of {@code batchSize} hosts in
   * rollout order; with {@code batchByGroup}, the same within each group (a host's first group;
   * the hosts without a group form one of their own), the groups in the order they first appear.
   */
  public List<List<HostTarget>> batches() {
    Map<String, List<HostTarget>> groups = new LinkedHashMap<>();
    for (HostTarget host : hosts) {
      // "" can name no group (group names are DNS labels), so it stands for the hosts without one.
      String group = !rollout.batchByGroup() || host.groups().isEmpty() ? "" : host.groups().get(0);
      groups.computeIfAbsent(group, g -> new ArrayList<>()).add(host);
    }
    List<List<HostTarget>> batches = new ArrayList<>();
    for (List<HostTarget> members : groups.values()) {
      for (int i = 0; i < members.size(); i += rollout.batchSize()) {
        batches.add(List.copyOf(members.subList(i, Math.min(members.size(), i + rollout.batchSize()))));
      }
    }
    return batches;
  }
}
