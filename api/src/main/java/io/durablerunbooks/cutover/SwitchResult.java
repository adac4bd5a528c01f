package io.durablerunbooks.cutover;

/**
 * @param changed false when the file already named the engine (a retried step): nothing was
 *     written, the reload still ran
 * @param reloadMillis the reload command's run time
 * @param healthyMillis from the reload's end to the first passing health check
 */
public record SwitchResult(Engine to, boolean changed, long reloadMillis, long healthyMillis) {}
