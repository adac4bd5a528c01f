package io.durablerunbooks.cutover;

import java.time.Duration;

/**
 * The post-cutover watch and MySQL's retention.
 *
 * @param period how long the watch samples (24 h in production)
 * @param interval between samples
 * @param probeRequests requests to the application's read path per sample, for its error rate
 *     and p95 latency
 * @param maxErrorRate a sample whose failed share of requests is above this is an incident
 * @param minUptime the share of healthy samples the 24-hour report requires
 * @param latencyFactor a sample whose p95 is above the baseline's p95 (on MySQL) times this is
 *     an incident
 * @param slowQuery statements whose mean time in pg_stat_statements is above this are reported
 * @param maxBloat dead rows as a share of a table's rows above this fail the report
 * @param mysqlRetention how long MySQL stays read-only, untouched, after the switch before its
 *     decommissioning may be approved
 */
public record WatchOptions(
    Duration period,
    Duration interval,
    int probeRequests,
    double maxErrorRate,
    double minUptime,
    double latencyFactor,
    Duration slowQuery,
    double maxBloat,
    Duration mysqlRetention) {}
