package io.durablerunbooks.restore;

public record TableCount(String table, long rows) {}
