package io.durablerunbooks.migrate;

/**
 * How a column's values travel and how they are compared: each family has one way to read a value
 * out of MySQL as text PostgreSQL's COPY accepts, and one canonical text form computed inside each
 * database for the checksums (see docs/migrate-data.md, "Type map" and "Checksums").
 */
public enum ColumnFamily {
  INTEGER,
  /** {@code tinyint(1)}: PostgreSQL boolean; compared as 0/1. */
  BOOLEAN,
  /** {@code decimal(p,s)}: numeric(p,s), compared at the declared scale. */
  DECIMAL,
  /** {@code float}/{@code double}: compared through their shortest text form as decimals. */
  FLOAT,
  DATE,
  /** {@code datetime}: a wall-clock time without zone, kept as timestamp without time zone. */
  DATETIME,
  /** {@code timestamp}: an instant, read in UTC into timestamptz. */
  TIMESTAMP,
  TIME,
  YEAR,
  TEXT,
  /** {@code enum}: text with a CHECK constraint listing the values. */
  ENUM,
  /** {@code set}: text holding MySQL's comma-separated form, with a CHECK on its members. */
  SET,
  /** MySQL {@code json} or MariaDB's {@code longtext CHECK (json_valid(..))}: jsonb. */
  JSON,
  /** {@code binary}, {@code varbinary}, {@code blob}s: bytea, compared as hex. */
  BINARY,
  /** {@code bit(n)}: bit(n), compared as the string of n binary digits. */
  BIT,
  /** A type the runbook chose ({@code columnTypes}): read as MySQL's text, parsed by PostgreSQL. */
  OVERRIDE
}
