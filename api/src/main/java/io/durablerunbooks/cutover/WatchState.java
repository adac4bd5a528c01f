package io.durablerunbooks.cutover;

import java.util.List;

/**
 * What the watch has seen so far, carried across continue-as-new.
 *
 * @param startedAtMillis when the watch began (workflow time)
 * @param incidents each breach, as {@code <time> <what>}
 * @param slowStatements the slow statements seen, the latest sample's first
 */
public record WatchState(
    long startedAtMillis,
    int samples,
    int healthySamples,
    long requests,
    long failed,
    long worstP95Millis,
    double worstDeadShare,
    String worstDeadTable,
    List<String> incidents,
    List<String> slowStatements) {

  public WatchState {
    incidents = List.copyOf(incidents);
    slowStatements = List.copyOf(slowStatements);
  }

  public static WatchState start(long now) {
    return new WatchState(now, 0, 0, 0, 0, 0, 0, "", List.of(), List.of());
  }
}
