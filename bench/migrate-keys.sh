#!/usr/bin/env bash
# What a text primary key costs the migrate-data runbook, against the same rows keyed by an integer,
# in one run on one machine.
#   bench/migrate-keys.sh [ROWS]   (default 1000000 rows per table; the source is kept and reused)
# Builds the MariaDB database bench_keys of six tables holding the same rows (bigint, int, a
# varchar note with NULLs, a decimal, a datetime(6)) under six primary keys:
#   by_int   bigint                                        the reference
#   by_uuid  char(36), lowercase UUIDs                     both engines order them alike
#   by_code  varchar(20) utf8mb4_unicode_ci, a000002 B000001 ...: mixed case, which the source's
#            case-insensitive collation orders otherwise than PostgreSQL's byte order
#   by_latin varchar(20) latin1_swedish_ci, é0000001 e0000002 é0000003 ...: a legacy latin1 key,
#            converted to UTF-8 for its bounds; accent-insensitive, so ordered otherwise than
#            PostgreSQL's byte order, which puts every é-key after every e-key
#   by_sjis  varchar(20) sjis_japanese_ci, 亜0000001 一0000002 ...: a legacy multi-byte key, converted
#            to UTF-8 for its bounds; sjis orders kanji by reading (亜 before 一), Unicode by radical
#   by_tenant (varchar(20) utf8mb4_unicode_ci, bigint), a00000 B00001 ...: 10 001 tenants of 100 rows,
#            split on the tenant, mixed case as by_code
# then runs the runbook on each table alone (tables.include), into a fresh PostgreSQL database, and
# takes each table's Copy and Verify step times from the run's report.
# Environment: BENCH_RUNS (default 1, keeps the best of each).
set -euo pipefail

cd "$(dirname "$0")/.."
ROWS="${1:-1000000}"
RUNS="${BENCH_RUNS:-1}"
SRC=bench_keys
TABLES=(by_int by_uuid by_code by_latin by_sjis by_tenant)

# shellcheck source=bench/migrate-lib.sh
source bench/migrate-lib.sh
need_packages jq

# Written last, so an interrupted build is never taken for a finished one.
MARK="bench_keys v5 rows=$ROWS"
if [[ "$(my_ -e "SELECT table_comment FROM information_schema.tables WHERE table_schema = '$SRC' AND table_name = 'by_code'" 2>/dev/null)" != "$MARK" ]]; then
  echo "building $SRC ($ROWS rows per table)"
  uuid="CONCAT_WS('-', SUBSTR(MD5(seq), 1, 8), SUBSTR(MD5(seq), 9, 4), SUBSTR(MD5(seq), 13, 4), SUBSTR(MD5(seq), 17, 4), SUBSTR(MD5(seq), 21, 12))"
  values="seq, IF(seq % 7 = 0, NULL, CONCAT('note ', seq)), seq / 100, '2024-01-01' + INTERVAL seq SECOND FROM seq_1_to_$ROWS"
  columns="n INT NOT NULL, note VARCHAR(40), amount DECIMAL(12,2) NOT NULL, created DATETIME(6) NOT NULL"
  my_ -e "DROP DATABASE IF EXISTS $SRC; CREATE DATABASE $SRC CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci"
  my_ "$SRC" -e "SET SESSION sql_log_bin = 0;
    CREATE TABLE by_int (id BIGINT NOT NULL PRIMARY KEY, $columns);
    CREATE TABLE by_uuid (id CHAR(36) NOT NULL PRIMARY KEY, $columns);
    CREATE TABLE by_code (id VARCHAR(20) COLLATE utf8mb4_unicode_ci NOT NULL PRIMARY KEY, $columns);
    CREATE TABLE by_latin (id VARCHAR(20) CHARACTER SET latin1 COLLATE latin1_swedish_ci NOT NULL PRIMARY KEY, $columns);
    CREATE TABLE by_sjis (id VARCHAR(20) CHARACTER SET sjis COLLATE sjis_japanese_ci NOT NULL PRIMARY KEY, $columns);
    CREATE TABLE by_tenant (tenant VARCHAR(20) COLLATE utf8mb4_unicode_ci NOT NULL, id BIGINT NOT NULL, $columns,
      PRIMARY KEY (tenant, id));
    INSERT INTO by_int SELECT seq, $values;
    INSERT INTO by_uuid SELECT $uuid, $values;
    INSERT INTO by_code SELECT CONCAT(IF(seq % 2 = 0, 'a', 'B'), LPAD(seq, 7, '0')), $values;
    INSERT INTO by_latin SELECT CONCAT(IF(seq % 2 = 0, 'e', 'é'), LPAD(seq, 7, '0')), $values;
    INSERT INTO by_sjis SELECT CONCAT(IF(seq % 2 = 0, '一', '亜'), LPAD(seq, 7, '0')), $values;
    INSERT INTO by_tenant SELECT CONCAT(IF(seq DIV 100 % 2 = 0, 'a', 'B'), LPAD(seq DIV 100, 5, '0')), seq, $values;
    ANALYZE TABLE by_int, by_uuid, by_code, by_latin, by_sjis, by_tenant;
    ALTER TABLE by_code COMMENT = '$MARK';" >/dev/null
fi

work="$(mktemp -d)"
worker_started=false
cleanup() {
  if $worker_started; then WORKER_PORT=$PORT RUNBOOKS_TASK_QUEUE=$QUEUE scripts/worker.sh stop >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
runbook() { # table: a runbook file of the table alone
  printf 'tables:\n  include: [%s]\n' "$1" | migrate_runbook "bench-keys-${1/_/-}" "$SRC" bench_keys_pg >"$work/$1.yaml"
  echo "$work/$1.yaml"
}
WORKER_PORT=$PORT RUNBOOKS_TASK_QUEUE=$QUEUE scripts/worker.sh start >/dev/null
worker_started=true

machine_line
for _ in $(seq 1 "$RUNS"); do
  for table in "${TABLES[@]}"; do
    fresh_pg bench_keys_pg
    if ! RUNBOOKS_TASK_QUEUE=$QUEUE bin/runbook start "$(runbook "$table")" --watch >"$work/run.log" 2>&1; then
      echo "the migrate-data run of $table failed; its output:" >&2
      tail -n 30 "$work/run.log" >&2
      exit 1
    fi
    save_report "migrate-data/bench-keys-${table/_/-}" "$work/report.json"
    copy="$(steps_seconds "$work/report.json" "Copy $table")"
    verify="$(steps_seconds "$work/report.json" "Verify $table")"
    printf '%-8s copy %6.2f s  verify %6.2f s  (%s)\n' "$table" "$copy" "$verify" \
      "$(jq -r --arg name "Verify $table" '.steps[] | select(.name == $name) | .detail' "$work/report.json")"
    keep "copy $table" "$copy"
    keep "verify $table" "$verify"
  done
done

echo
for table in by_uuid by_code by_latin by_sjis by_tenant; do
  printf '%-8s best copy %.2f s = %.2f x by_int'"'"'s, verify %.2f s = %.2f x by_int'"'"'s\n' "$table" \
    "${best[copy $table]}" "$(calc "${best[copy $table]} / ${best[copy by_int]}")" \
    "${best[verify $table]}" "$(calc "${best[verify $table]} / ${best[verify by_int]}")"
done
printf 'by_int   best copy %.2f s, verify %.2f s (%d rows)\n' "${best[copy by_int]}" "${best[verify by_int]}" "$ROWS"
