package io.durablerunbooks.restore;

/**
 * @param targetExists whether the database to replace exists today
 * @param activeConnections sessions connected to it now (they are ended at the swap)
 */
public record TargetInfo(
    String serverVersion, boolean targetExists, int activeConnections, String clientToolVersion) {}
