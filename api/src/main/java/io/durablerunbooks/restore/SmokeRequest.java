package io.durablerunbooks.restore;

import io.durablerunbooks.postgres.PostgresConnection;

public record SmokeRequest(PostgresConnection database, SmokeSpec smoke) {}
