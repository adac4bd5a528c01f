package io.durablerunbooks.cutover;

/**
 * @param millis how long setting read-only took, including its wait for committing statements
 * @param openWriteTransactions transactions that had written rows and not committed when MySQL
 *     went read-only: their COMMIT fails, so none of their rows reach either database
 * @param superReadOnly whether super_read_only was set too
 */
public record ReadOnlyResult(long millis, int openWriteTransactions, boolean superReadOnly) {}
