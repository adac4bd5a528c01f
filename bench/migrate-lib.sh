# shellcheck shell=bash
# What bench/migrate.sh and bench/migrate-keys.sh share: the local stack up with its clients set up,
# the migrate-data runbook file they run, best-of bookkeeping, and step times from a run's report.
# Sourced from the repository's root, with ROWS (the script's argument) set: checked before anything
# starts.

if [[ ! "$ROWS" =~ ^[0-9]+$ ]] || ((ROWS < 1000)); then
  echo "usage: $0 [ROWS] (ROWS >= 1000, got '$ROWS')" >&2
  exit 2
fi
# The bench's own worker: its task queue and port, apart from the stack's worker.
QUEUE=bench-migrate
PORT=18092

if ! stack_log="$(scripts/stack.sh up 2>&1 >/dev/null)"; then
  echo "$stack_log" >&2
  exit 1
fi
eval "$(scripts/stack.sh env)"

# Installs the Debian packages named that are missing (jq, pgloader).
need_packages() {
  local missing=() p
  for p in "$@"; do command -v "$p" >/dev/null || missing+=("$p"); done
  if ((${#missing[@]})); then
    # shellcheck disable=SC2034 # read by stack-lib.sh
    LOG_NAME=bench-migrate STATE="$RUNBOOKS_STACK_DIR" READY_TIMEOUT=90
    # shellcheck source=scripts/stack-lib.sh
    source scripts/stack-lib.sh
    apt_install "${missing[@]}"
  fi
}

export PGPASSWORD MYSQL_PWD PGCLIENTENCODING=UTF8 PGOPTIONS="-c client_min_messages=warning"
PGPASSWORD="$(cat "$RUNBOOKS_PG_PASSWORD_FILE")"
MYSQL_PWD="$(cat "$RUNBOOKS_MARIADB_PASSWORD_FILE")"
psql_() { psql -X -q -At -v ON_ERROR_STOP=1 -h "$RUNBOOKS_PG_HOST" -p "$RUNBOOKS_PG_PORT" -U postgres "$@"; }
# The client's default character set is utf8mb3, which would mangle the 4-byte characters.
my_() {
  mariadb --no-defaults --skip-ssl --default-character-set=utf8mb4 -h "$RUNBOOKS_MARIADB_HOST" \
    -P "$RUNBOOKS_MARIADB_PORT" -u "$RUNBOOKS_MARIADB_USER" --batch --skip-column-names "$@"
}
fresh_pg() { psql_ -d postgres -c "drop database if exists $1 with (force)" -c "create database $1"; }
now() { date +%s.%N; }
calc() { awk "BEGIN { print $1 }"; }

# A migrate-data runbook named $1 from the MariaDB database $2 into the PostgreSQL database $3, two
# ranges at a time; further YAML lines on stdin are appended.
migrate_runbook() {
  cat <<YAML
kind: migrate-data
name: $1
environment: bench
source:
  url: jdbc:mariadb://$RUNBOOKS_MARIADB_HOST:$RUNBOOKS_MARIADB_PORT/$2?sslMode=disable
  user: $RUNBOOKS_MARIADB_USER
  password: \${file:$RUNBOOKS_MARIADB_PASSWORD_FILE}
target:
  url: jdbc:postgresql://$RUNBOOKS_PG_HOST:$RUNBOOKS_PG_PORT/$3
  user: postgres
  password: \${file:$RUNBOOKS_PG_PASSWORD_FILE}
copy:
  parallelism: 2
YAML
  cat
}

declare -A best
keep() { # label seconds: the least of them per label, in best[label]
  if [[ -z "${best[$1]:-}" ]] || (($(calc "$2 < ${best[$1]}"))); then best[$1]="$2"; fi
}

# The report of run $1 (migrate-data/NAME), as JSON, into the file $2: read once per run (the CLI
# starts a JVM each time).
save_report() { RUNBOOKS_TASK_QUEUE=$QUEUE bin/runbook report "$1" --format json >"$2" 2>/dev/null; }

# Seconds from the first start to the last end of the steps whose names start with $2, in the
# report saved in the file $1.
steps_seconds() {
  jq -r --arg prefix "$2" '
    def t: capture("^(?<s>[^.Z]+)(?<f>\\.[0-9]+)?Z$") | (.s + "Z" | fromdateiso8601) + ("0" + (.f // "") | tonumber);
    [.steps[] | select(.name | startswith($prefix))]
    | if length == 0 then 0 else (map(.finishedAt | t) | max) - (map(.startedAt | t) | min) end' "$1"
}

machine_line() {
  echo "load average before the runs: $(cut -d" " -f1-3 /proc/loadavg)"
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
}
