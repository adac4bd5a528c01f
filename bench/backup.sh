#!/usr/bin/env bash
# Backup throughput against the raw pipeline, in one run on one machine.
#   bench/backup.sh [SIZE_MB]      (default 1000; the database is kept and reused between runs)
# Builds a database of realistic, poorly compressible data (random base64 text, numbers,
# timestamps; not pgbench -i, which compresses 30x), then times:
#   (a) pg_dump -Fc -Z0 | zstd -1 > /dev/null                     the raw pipeline
#   (b) the backup runbook end to end into S3Proxy, with read-back verification and with size only
# and prints each (b)/(a) ratio in dump throughput, plus where the CPU went (pg_dump, PostgreSQL,
# the worker's JVM, S3Proxy): everything shares the machine's cores.
set -euo pipefail

cd "$(dirname "$0")/.."
SIZE_MB="${1:-1000}"
RUNS="${BENCH_RUNS:-2}"
DB=bench_backup
QUEUE=bench-backup
PORT=18091

scripts/stack.sh up >/dev/null
eval "$(scripts/stack.sh env)"
export PGPASSWORD
PGPASSWORD="$(cat "$RUNBOOKS_PG_PASSWORD_FILE")"
psql_() { psql -X -q -At -v ON_ERROR_STOP=1 -h "$RUNBOOKS_PG_HOST" -p "$RUNBOOKS_PG_PORT" -U postgres "$@"; }
PG_BIN=/usr/lib/postgresql/15/bin

size_mb() { psql_ -d postgres -c "select coalesce((select pg_database_size('$DB') / 1048576 from pg_database where datname = '$DB'), 0)"; }
if (($(size_mb) < SIZE_MB * 9 / 10)); then
  echo "building $DB of about $SIZE_MB MB (random base64 text, numbers, timestamps)..."
  psql_ -d postgres -c "drop database if exists $DB with (force)" -c "create database $DB"
  psql_ -d "$DB" -c "create extension pgcrypto" -c "
    create table events(id bigserial primary key, account bigint not null, amount numeric(14,2) not null,
      qty int not null, happened_at timestamptz not null, kind text not null, payload text not null);
    create table accounts(id bigserial primary key, name text not null, email text not null, opened date not null, notes text);"
  psql_ -d "$DB" -c "insert into accounts(name, email, opened, notes)
      select encode(gen_random_bytes(12), 'base64'), 'a' || g || '@example.com', date '2015-01-01' + (g % 3000),
             encode(gen_random_bytes(150), 'base64') from generate_series(1, 200000) g"
  while (($(size_mb) < SIZE_MB)); do
    psql_ -d "$DB" -c "insert into events(account, amount, qty, happened_at, kind, payload)
        select (random() * 199999)::int + 1, round((random() * 100000)::numeric, 2), (random() * 100)::int,
               timestamptz '2023-01-01' + random() * interval '700 days',
               (array['order','refund','login','transfer','fee'])[1 + (random() * 4)::int],
               encode(gen_random_bytes(220 + (random() * 160)::int), 'base64')
        from generate_series(1, 200000)"
  done
  psql_ -d "$DB" -c "vacuum analyze"
fi
echo "database $DB: $(size_mb) MB on disk"

WORKER_PORT=$PORT RUNBOOKS_TASK_QUEUE=$QUEUE scripts/worker.sh start >/dev/null
trap 'WORKER_PORT=$PORT scripts/worker.sh stop >/dev/null' EXIT
WORKER_PID="$(cat "$RUNBOOKS_STACK_DIR/worker-$PORT.pid")"
S3_PID="$(cat "$RUNBOOKS_STACK_DIR/s3proxy.pid")"
PG_PID="$(head -n 1 "$RUNBOOKS_STACK_DIR/pg/postmaster.pid")"
TICK="$(getconf CLK_TCK)"

# utime+stime of a process, and of its reaped children (pg_dump is the worker's child, backends
# are the postmaster's), in clock ticks.
cpu_self() { awk '{print $14 + $15}' "/proc/$1/stat"; }
cpu_children() { awk '{print $16 + $17}' "/proc/$1/stat"; }
# The bench shell's own reaped children are the raw pipeline (pg_dump, zstd) or the runbook CLI.
snapshot() { echo "$(cpu_self "$WORKER_PID") $(cpu_children "$WORKER_PID") $(cpu_self "$S3_PID") $(cpu_self "$PG_PID") $(cpu_children "$PG_PID") $(cpu_children $$)"; }
cpu_line() { # before after wall_s
  local -a b a
  read -r -a b <<<"$1"
  read -r -a a <<<"$2"
  awk -v t="$TICK" -v w="$3" -v jvm=$((a[0] - b[0])) -v dump=$((a[1] - b[1])) -v s3=$((a[2] - b[2])) -v pg=$((a[3] + a[4] - b[3] - b[4])) -v own=$((a[5] - b[5])) \
    'BEGIN { printf "cpu s: worker JVM %.1f, its pg_dump %.1f, postgres %.1f, s3proxy %.1f, this shell'"'"'s pipeline or CLI %.1f (wall %.1f s, %.2f cores busy)\n", jvm/t, dump/t, pg/t, s3/t, own/t, w, (jvm+dump+pg+s3+own)/t/w }'
}

now() { date +%s.%N; }
calc() { awk "BEGIN { print $1 }"; }
DUMP_BYTES="$("$PG_BIN/pg_dump" -h "$RUNBOOKS_PG_HOST" -p "$RUNBOOKS_PG_PORT" -U postgres -Fc -Z0 "$DB" | wc -c)"
echo "dump size (pg_dump -Fc -Z0): $DUMP_BYTES bytes"

file="$(mktemp --suffix=.yaml)"
runbook() { # verify
  sed -e "s#^name: .*#name: bench-backup#" -e "s#/sample\$#/$DB#" -e "s#verify: read-back#verify: $1#" \
    -e "s#level: 3#level: 1#" -e "s#prefix: postgres#prefix: bench#" runbooks/local-backup.yaml >"$file"
}

declare -A best
measure() { # label command...
  local label="$1" start end before after secs
  shift
  before="$(snapshot)"; start="$(now)"
  "$@" >/dev/null
  end="$(now)"; after="$(snapshot)"
  secs="$(calc "$end - $start")"
  printf '%-28s %7.2f s  %7.1f MB/s dump   ' "$label" "$secs" "$(calc "$DUMP_BYTES / 1000000 / $secs")"
  cpu_line "$before" "$after" "$secs"
  if [[ -z "${best[$label]:-}" ]] || (($(calc "$secs < ${best[$label]}"))); then best[$label]="$secs"; fi
}
raw() { "$PG_BIN/pg_dump" -h "$RUNBOOKS_PG_HOST" -p "$RUNBOOKS_PG_PORT" -U postgres -Fc -Z0 "$DB" | zstd -q -1 >/dev/null; }
ours() { runbook "$1"; RUNBOOKS_TASK_QUEUE=$QUEUE bin/runbook start "$file" --watch; }

echo "load average before the runs: $(cut -d" " -f1-3 /proc/loadavg)"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
for _ in $(seq 1 "$RUNS"); do
  measure "raw pg_dump | zstd -1" raw
  measure "runbook, read-back verify" ours read-back
  measure "runbook, size-only verify" ours size
done
rm -f "$file"

echo
raw_s="${best[raw pg_dump | zstd -1]}"
for label in "runbook, read-back verify" "runbook, size-only verify"; do
  printf '%-28s best %6.2f s, ratio to raw pipeline %.2f\n' "$label" "${best[$label]}" "$(calc "$raw_s / ${best[$label]}")"
done
echo "(ratio = raw time / runbook time = runbook throughput / raw throughput; the runbook times include"
echo " the CLI's JVM start, the preflight checks, manifest and retention: the whole run a user waits for)"
