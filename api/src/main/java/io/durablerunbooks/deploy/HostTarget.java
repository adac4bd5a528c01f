package io.durablerunbooks.deploy;

import io.durablerunbooks.ssh.SshAccess;
import io.durablerunbooks.ssh.SshHost;
import java.util.Objects;

/**
 * One host of a deploy and where the application lives on it.
 *
 * @param root the deploy root on the host, holding {@code releases/<id>}, {@code current} and
 *     {@code shared/}
 * @param appUrl where the host's instance of the application answers, for its smoke checks
 */
public record HostTarget(SshHost host, SshAccess access, String root, String appUrl) {

  public HostTarget {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(access, "access");
    Objects.requireNonNull(root, "root");
    Objects.requireNonNull(appUrl, "appUrl");
    if (!root.startsWith("/") || root.equals("/")) {
      throw new IllegalArgumentException("root must be an absolute directory other than /, got '" + root + "'");
    }
  }

  public String name() {
    return host.name();
  }
}
