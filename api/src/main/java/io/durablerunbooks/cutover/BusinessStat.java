package io.durablerunbooks.cutover;

/**
 * A business figure (revenue, open orders) computed by one query on each side; its first column
 * of its first row is the value.
 */
public record BusinessStat(String name, String mysql, String postgres) {}
