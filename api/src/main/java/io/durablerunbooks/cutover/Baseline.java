package io.durablerunbooks.cutover;

/**
 * Both sides before the GO, and the application's latency on MySQL, the watch's reference.
 *
 * @param appP95Millis the 95th percentile of the probe's requests to the read path
 */
public record Baseline(SideFigures mysql, SideFigures postgres, int appRequests, int appFailed, long appP95Millis) {}
