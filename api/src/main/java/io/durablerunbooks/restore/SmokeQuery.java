package io.durablerunbooks.restore;

/**
 * A configured check run against the restored database before it is swapped in.
 *
 * @param expect the first column of the first row, as text, must equal this; empty means the query
 *     must return at least one row
 */
public record SmokeQuery(String name, String sql, String expect) {}
