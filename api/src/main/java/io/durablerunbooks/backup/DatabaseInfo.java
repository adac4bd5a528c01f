package io.durablerunbooks.backup;

/** What the preflight learnt about a PostgreSQL server and the client tools on the worker. */
public record DatabaseInfo(
    String serverVersion, int serverVersionNum, long databaseSizeBytes, String clientToolVersion) {}
