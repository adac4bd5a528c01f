package io.durablerunbooks.restore;

/** @param previousDatabase empty when there was no database to replace or it was dropped */
public record SwapResult(String database, String previousDatabase, int terminatedConnections) {}
