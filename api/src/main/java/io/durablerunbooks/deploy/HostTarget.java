package io.durablerunbooks.deploy;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import io.durablerunbooks.ssh.SshAccess;
import io.durablerunbooks.ssh.SshHost;
import java.util.List;
import java.util.Objects;

/**
 * One host of a deploy and where the application lives on it.
 *
 * @param root the deploy root on the host, holding {@code releases/<id>}, {@code current} and
 *     {@code shared/}
 * @param appUrl where the host's instance of the application answers, for its smoke checks
 * @param groups the inventory groups the host belongs to, in the order the file lists them; the
 *     first one is the host's group for {@code rollout.batchByGroup}. Deploys started before
 *     groups existed recorded none, hence empty when absent.
 */
public record HostTarget(
    SshHost host, SshAccess access, String root, String appUrl, @JsonSetter(nulls = Nulls.AS_EMPTY) List<String> groups) {

  public HostTarget {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(access, "access");
    Objects.requireNonNull(root, "root");
    Objects.requireNonNull(appUrl, "appUrl");
    groups = List.copyOf(groups);
    if (!root.startsWith("/") || root.equals("/")) {
      throw new IllegalArgumentException("root must be an absolute directory other than /, got '" + root + "'");
    }
  }

  public String name() {
    return host.name();
  }
}
