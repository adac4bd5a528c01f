#!/usr/bin/env bash
# The cutover of the local store application (scripts/store.sh) with about a million rows, under a
# steady write load through the application, in one run on one machine:
#   bench/cutover.sh [ROWS]      (default 1000000 rows in store.items)
# Times, seen from the load generator (bench/cutover-load.py: writes through the application, each
# request's send and answer times and the engine that answered):
#   (a) the reference: the bare operations of a switch done by hand, with no check at all:
#       SET GLOBAL read_only = ON, the env file rewritten over SSH, the application reloaded,
#       read_only = OFF again (the application stays on MySQL)
#   (b) the cutover: its write-unavailability window (first write refused to first write accepted
#       on PostgreSQL), the runbook's own window.millis, and each phase's duration
#   (c) the manual rollback-cutover back to MySQL with the writes PostgreSQL took
#   (d) an emergency rollback: a cutover whose check after the switch fails (a PostgreSQL trigger
#       refuses the check's marker row): failure detected to MySQL writable and the application
#       healthy (rollback.millis), and the load's second window (refused to accepted on MySQL)
# Environment: BENCH_THREADS (load generator threads, default 2).
set -euo pipefail

cd "$(dirname "$0")/.."
ROWS="${1:-1000000}"
THREADS="${BENCH_THREADS:-2}"
QUEUE=bench-cutover
PORT=18093
URL=http://127.0.0.1:18130
if [[ ! "$ROWS" =~ ^[0-9]+$ ]] || ((ROWS < 1000)); then
  echo "usage: bench/cutover.sh [ROWS] (ROWS >= 1000, got '$ROWS')" >&2
  exit 2
fi
if ! stack_log="$(scripts/stack.sh up 2>&1 >/dev/null)"; then
  echo "$stack_log" >&2
  exit 1
fi
eval "$(scripts/stack.sh env)"
command -v jq >/dev/null || { echo "bench/cutover.sh needs jq (apt-get install jq)" >&2; exit 1; }
export MYSQL_PWD PGPASSWORD PGOPTIONS="-c client_min_messages=warning"
MYSQL_PWD="$(cat "$RUNBOOKS_MARIADB_PASSWORD_FILE")"
PGPASSWORD="$(cat "$RUNBOOKS_PG_PASSWORD_FILE")"
my_() { mariadb --no-defaults --skip-ssl -h 127.0.0.1 -P "$RUNBOOKS_MARIADB_PORT" -u root --batch --skip-column-names "$@"; }
psql_() { psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$RUNBOOKS_PG_PORT" -U postgres "$@"; }
ssh_() {
  ssh -q -i "$RUNBOOKS_SSH_KEY" -o UserKnownHostsFile="$RUNBOOKS_KNOWN_HOSTS" -o StrictHostKeyChecking=yes -o BatchMode=yes \
    -p "$RUNBOOKS_STORE_SSH_PORT" "$RUNBOOKS_SSH_USER@127.0.0.1" "$@"
}
rb() { RUNBOOKS_TASK_QUEUE=$QUEUE RUNBOOK_USER=bench bin/runbook "$@"; }
now() { date +%s.%N; }
calc() { awk "BEGIN { print $1 }"; }

work="$(mktemp -d)"
worker_started=false
cleanup() {
  touch "$work/stop"
  wait 2>/dev/null || true
  if [[ "$worker_started" == true ]]; then WORKER_PORT=$PORT scripts/worker.sh stop >/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "load average before the runs: $(cut -d" " -f1-3 /proc/loadavg)"
scripts/store.sh reset 2>/dev/null
start="$(now)"
my_ store -e "INSERT INTO items (name, price, updated_at) SELECT CONCAT('seed ', seq), seq % 1000 / 10,
  NOW(6) - INTERVAL seq SECOND FROM seq_1_to_$ROWS"
printf 'seeded %d rows in MariaDB store.items in %.1f s\n' "$(my_ store -e 'SELECT count(*) FROM items')" "$(calc "$(now) - $start")"
WORKER_PORT=$PORT RUNBOOKS_TASK_QUEUE=$QUEUE scripts/worker.sh start >/dev/null
worker_started=true
stamp="$(date +%H%M%S)"
start="$(now)"
rb start runbooks/local-cutover-copy.yaml --set "name=bench-copy-$stamp" --watch >"$work/copy.log" 2>&1 \
  || { tail -n 20 "$work/copy.log" >&2; exit 1; }
printf 'migrate-data copy and verification: %.1f s (before the cutover, not part of it)\n' "$(calc "$(now) - $start")"

load_start() { # name
  rm -f "$work/stop"
  python3 bench/cutover-load.py "$URL" "$work/$1.load" "$work/stop" "$THREADS" &
  sleep 3
}
load_stop() { # name
  sleep 3
  touch "$work/stop"
  wait
  python3 bench/cutover-load.py analyse "$work/$1.load"
}
approve_when_open() { # id
  for _ in $(seq 1 2400); do
    if rb approve "$1" --as alice --comment bench >/dev/null 2>&1; then return 0; fi
    sleep 0.25
  done
  echo "no gate opened on $1" >&2
  return 1
}
phases() { # id
  rb report "$1" --format json | jq -r '
    def t: capture("^(?<s>[^.Z]+)(?<f>\\.[0-9]+)?Z$") | (.s + "Z" | fromdateiso8601) + ("0" + (.f // "") | tonumber);
    .steps[] | select(.startedAt != null and .finishedAt != null) | "  \(.name)\t\(((.finishedAt | t) - (.startedAt | t)) * 1000 | floor) ms"' \
    | awk -F'\t' '{ printf "%-34s %s\n", $1, $2 }'
}
fact() { rb report "$1" --format json | jq -r --arg k "$2" '.facts[$k] // empty'; }

echo
echo "(a) reference: read_only on, env file rewritten over SSH, reload, read_only off, by hand"
load_start reference
env_file="$RUNBOOKS_STORE_ENV_FILE"
start="$(now)"
my_ -e "SET GLOBAL read_only = ON"
ssh_ "cp $env_file $env_file.bench && mv $env_file.bench $env_file && $RUNBOOKS_STORE_DIR/bin/service reload" >/dev/null 2>&1
my_ -e "SET GLOBAL read_only = OFF"
ref_ms="$(calc "($(now) - $start) * 1000")"
ref="$(load_stop reference)"
ref_window="$(jq '[.windows[].millis] | max // 0' <<<"$ref")"
printf '  operations %.0f ms; the load saw writes refused for %s ms (%s)\n' "$ref_ms" "$ref_window" "$ref"

echo
echo "(b) cutover under load"
id="cutover/bench-cutover-$stamp"
load_start cutover
rb start runbooks/local-cutover.yaml --set "name=bench-cutover-$stamp" --set watch.period=1m --set watch.interval=30s >/dev/null
approve_when_open "$id"
rb watch "$id" >"$work/cutover.log" 2>&1 || true
cut="$(load_stop cutover)"
[[ "$(rb report "$id" --format json | jq -r .outcome)" == SUCCEEDED ]] || { tail -n 30 "$work/cutover.log" >&2; exit 1; }
cut_window="$(jq '[.windows[] | select(.from == "mysql" and .to == "postgresql") | .millis] | max // 0' <<<"$cut")"
printf '  write-unavailability window seen by the load: %s ms (%s)\n' "$cut_window" "$cut"
printf '  window.millis of the runbook (read-only to switched): %s ms\n' "$(fact "$id" window.millis)"
phases "$id"

echo
echo "(c) rollback-cutover, back to MySQL with PostgreSQL's writes"
back="rollback-cutover/bench-back-$stamp"
load_start back
rb start runbooks/local-rollback-cutover.yaml --set "name=bench-back-$stamp" --set "cutover=bench-cutover-$stamp" >/dev/null
approve_when_open "$back"
rb watch "$back" >"$work/back.log" 2>&1 || true
bk="$(load_stop back)"
[[ "$(rb report "$back" --format json | jq -r .outcome)" == SUCCEEDED ]] || { tail -n 30 "$work/back.log" >&2; exit 1; }
printf '  copied back %s rows; window seen by the load %s ms (%s)\n' "$(fact "$back" copiedBackRows)" \
  "$(jq '[.windows[] | select(.to == "mysql") | .millis] | max // 0' <<<"$bk")" "$bk"
phases "$back"

echo
echo "(d) emergency rollback: the check after the switch fails"
psql_ -d store -c "CREATE OR REPLACE FUNCTION bench_reject_marker() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN
  IF NEW.name LIKE 'durable-runbooks check%' THEN RAISE EXCEPTION 'bench: injected failure'; END IF; RETURN NEW; END \$\$" \
  -c "CREATE TRIGGER bench_reject_marker BEFORE INSERT ON items FOR EACH ROW EXECUTE FUNCTION bench_reject_marker()"
failed="cutover/bench-fail-$stamp"
load_start failed
rb start runbooks/local-cutover.yaml --set "name=bench-fail-$stamp" >/dev/null
approve_when_open "$failed"
rb watch "$failed" >"$work/failed.log" 2>&1 || true
fl="$(load_stop failed)"
psql_ -d store -c "DROP TRIGGER bench_reject_marker ON items" -c "DROP FUNCTION bench_reject_marker()"
[[ "$(rb report "$failed" --format json | jq -r .outcome)" == ROLLED_BACK ]] || { tail -n 30 "$work/failed.log" >&2; exit 1; }
rollback_ms="$(fact "$failed" rollback.millis)"
printf '  rollback.millis (failure detected to MySQL writable, checked through the application): %s ms\n' "$rollback_ms"
printf '  the load: %s\n' "$fl"
phases "$failed"

echo
printf 'summary: window %s ms (%.1f x the bare operations of (a), %.0f ms); emergency rollback %s ms; targets: window < 5000 ms (stretch 2000), rollback < 10000 ms (stretch 3000)\n' \
  "$cut_window" "$(calc "$cut_window / ($ref_window > 0 ? $ref_window : $ref_ms)")" "$ref_ms" "$rollback_ms"
scripts/store.sh reset 2>/dev/null
