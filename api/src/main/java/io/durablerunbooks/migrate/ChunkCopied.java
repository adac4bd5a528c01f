package io.durablerunbooks.migrate;

/**
 * @param bytes the size of the rows as COPY text
 * @param zeroDates MySQL zero dates ({@code 0000-00-00}) written as NULL
 */
public record ChunkCopied(long rows, long bytes, long zeroDates, long millis) {}
