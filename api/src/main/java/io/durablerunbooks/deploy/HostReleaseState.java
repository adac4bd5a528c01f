package io.durablerunbooks.deploy;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The release directories of one host as a rollback sees them.
 *
 * @param current the release {@code current} points to, empty before the first deploy
 * @param switched the releases {@code current} pointed to, newest first, each once with the last
 *     time; only those still staged
 * @param staged every release directory under {@code releases/}
 * @param bad releases marked bad on this host, each with its mark (when, by which run, why)
 */
public record HostReleaseState(String current, List<Switch> switched, List<String> staged, Map<String, String> bad) {

  /** A release {@code current} was pointed to, and when (UTC, as the host's clock read it). */
  public record Switch(String release, String at) {

    public Switch {
      Objects.requireNonNull(release, "release");
      Objects.requireNonNull(at, "at");
    }
  }

  public HostReleaseState {
    Objects.requireNonNull(current, "current");
    switched = List.copyOf(switched);
    staged = List.copyOf(staged);
    bad = Map.copyOf(bad);
  }

  /** When {@code current} was last pointed to the current release; empty if unknown. */
  public String currentSince() {
    return switched.stream().filter(s -> s.release().equals(current)).map(Switch::at).findFirst().orElse("");
  }
}
