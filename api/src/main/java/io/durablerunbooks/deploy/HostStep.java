package io.durablerunbooks.deploy;

import java.time.Duration;
import java.util.Objects;

/**
 * What a step on one host needs: the host, the deploy it belongs to, and the release it is about.
 *
 * @param owner who holds the host's deploy lock: the workflow id and run id of the deploy
 * @param release the release the step is about ({@code releases/<release>})
 * @param script for hooks: the operator's command; empty otherwise
 * @param timeout for hooks: how long it may run
 */
public record HostStep(HostTarget target, String owner, String release, String script, Duration timeout) {

  public HostStep {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(release, "release");
    Objects.requireNonNull(script, "script");
    Objects.requireNonNull(timeout, "timeout");
  }

  public static HostStep of(HostTarget target, String owner, String release) {
    return new HostStep(target, owner, release, "", Duration.ZERO);
  }

  public HostStep hook(String command, Duration limit) {
    return new HostStep(target, owner, release, command, limit);
  }

  public HostStep release(String other) {
    return new HostStep(target, owner, other, script, timeout);
  }
}
