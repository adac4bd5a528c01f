package io.durablerunbooks.cutover;

/**
 * What the preflight found on MySQL.
 *
 * @param readOnly whether the server is read-only already (a cutover refuses to start then)
 * @param superReadOnly whether the server has {@code super_read_only} (MySQL does, MariaDB not)
 * @param binlogFormat {@code ROW}, {@code MIXED}, {@code STATEMENT}, or empty when off
 * @param applicationUser the account the application's MySQL value logs in as
 */
public record SourceState(String version, boolean readOnly, boolean superReadOnly, String binlogFormat, String applicationUser) {}
