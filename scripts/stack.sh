#!/usr/bin/env bash
# Local stack for development and tests: PostgreSQL 15, MariaDB (scripts/mariadb.sh), S3Proxy, the
# Temporal dev server, the SSH hosts of scripts/hosts.sh, the nginx with V1/V2 backends of
# scripts/nginx.sh and the Prometheus that scrapes those backends (scripts/prometheus.sh), all on
# 127.0.0.1, state in one directory.
# Usage: scripts/stack.sh up [--with-test-tools]|down|status|env
set -euo pipefail

SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STATE="${RUNBOOKS_STACK_DIR:-/var/tmp/durable-runbooks}"
PG_PORT=15432
S3_PORT=18080
S3_BUCKET=runbooks
S3_REGION=us-east-1
TEMPORAL_PORT=7233
TEMPORAL_UI_PORT=8233
S3PROXY_VERSION=4.1.0
S3PROXY_ARTIFACT="org.gaul:s3proxy:${S3PROXY_VERSION}:jar:jar-with-dependencies"
M2_REPO="${RUNBOOKS_M2_REPO:-$HOME/.m2/repository}"
S3PROXY_JAR="$M2_REPO/org/gaul/s3proxy/$S3PROXY_VERSION/s3proxy-$S3PROXY_VERSION-jar-with-dependencies.jar"
# Tags from v1.6.0 carry a replace directive that makes `go install` refuse them.
TEMPORAL_CLI_MODULE=github.com/temporalio/cli/cmd/temporal@v1.5.1
SEARCH_ATTRIBUTES=(RunbookKind RunbookName RunbookEnvironment RunbookOutcome RunbookInitiator)
PG_BIN=/usr/lib/postgresql/15/bin
NGINX=/usr/sbin/nginx
PROMETHEUS=/usr/bin/prometheus
PGDATA="$STATE/pg"
PG_SOCKET_DIR="$STATE/pg-socket"
READY_TIMEOUT="${RUNBOOKS_STACK_TIMEOUT:-90}"

LOG_NAME=stack
# shellcheck source=scripts/stack-lib.sh
source "$SCRIPTS/stack-lib.sh"

ensure_tools() {
  local missing=()
  [[ -x "$PG_BIN/pg_ctl" ]] || missing+=(postgresql)
  command -v zstd >/dev/null || missing+=(zstd)
  command -v gzip >/dev/null || missing+=(gzip)
  command -v curl >/dev/null || missing+=(curl)
  command -v java >/dev/null || missing+=(openjdk-17-jre-headless)
  [[ -x "$NGINX" ]] || missing+=(nginx)
  [[ -x "$PROMETHEUS" ]] || missing+=(prometheus)
  if [[ ! -f "$S3PROXY_JAR" ]] && ! command -v mvn >/dev/null; then
    missing+=(maven)
  fi
  if ((${#missing[@]})); then
    apt_install "${missing[@]}"
  fi
  [[ -x "$PG_BIN/pg_ctl" ]] || die "$PG_BIN/pg_ctl still missing after installing postgresql; this script needs PostgreSQL 15 (Debian 12)"
}

# Runs a PostgreSQL server binary as the owner of the data directory.
as_pg() {
  if is_root; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

pg_owner() {
  if is_root; then echo postgres; else id -un; fi
}

# -U postgres: probing as a role that does not exist would log an authentication failure each time.
pg_ready() { "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres; }

write_pg_config() {
  cat >"$PGDATA/stack.conf" <<EOF
# Managed by scripts/stack.sh, rewritten on every 'up'.
port = $PG_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PG_SOCKET_DIR'
shared_preload_libraries = 'pg_stat_statements'
password_encryption = 'scram-sha-256'
EOF
  cat >"$PGDATA/pg_hba.conf" <<'EOF'
# Managed by scripts/stack.sh, rewritten on every 'up'.
local   all             all                     scram-sha-256
host    all             all     127.0.0.1/32    scram-sha-256
host    replication     all     127.0.0.1/32    scram-sha-256
EOF
  if ! grep -qx "include = 'stack.conf'" "$PGDATA/postgresql.conf"; then
    echo "include = 'stack.conf'" >>"$PGDATA/postgresql.conf"
  fi
  if is_root; then
    chown postgres: "$PGDATA/stack.conf" "$PGDATA/pg_hba.conf"
  fi
}

init_pg() {
  local owner pwfile
  owner="$(pg_owner)"
  ensure_secret "$STATE/pg-password" 24
  mkdir -p "$PGDATA" "$PG_SOCKET_DIR"
  chmod 700 "$PGDATA"
  if is_root; then
    chown postgres: "$PGDATA" "$PG_SOCKET_DIR"
  fi
  if [[ -f "$PGDATA/PG_VERSION" ]]; then
    return 0
  fi
  log "postgres: initdb in $PGDATA (owner $owner)"
  # initdb runs as the postgres user, which cannot read our 600 secret: hand it a private copy.
  pwfile="$STATE/pg-initdb-password"
  (umask 077 && cp "$STATE/pg-password" "$pwfile")
  if is_root; then chown postgres: "$pwfile"; fi
  if ! as_pg "$PG_BIN/initdb" -D "$PGDATA" -U postgres --pwfile="$pwfile" \
    --auth=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >"$STATE/pg-initdb.log" 2>&1; then
    rm -f "$pwfile"
    die "postgres: initdb failed; see $STATE/pg-initdb.log"
  fi
  rm -f "$pwfile"
}

up_postgres() {
  if pg_ready; then
    [[ -s "$STATE/pg-password" ]] \
      || die "postgres: answering on $PG_PORT but $STATE/pg-password is missing: it was not started by this script; stop it or set RUNBOOKS_STACK_DIR"
    log "postgres: already answering on 127.0.0.1:$PG_PORT, left alone"
    return 0
  fi
  init_pg
  write_pg_config
  local logfile="$STATE/pg.log"
  touch "$logfile"
  if is_root; then chown postgres: "$logfile"; fi
  log "postgres: starting on 127.0.0.1:$PG_PORT"
  if ! as_pg "$PG_BIN/pg_ctl" start -D "$PGDATA" -l "$logfile" -w -t "$READY_TIMEOUT" >/dev/null; then
    die "postgres: pg_ctl start failed; see $logfile
$(tail -n 20 "$logfile")"
  fi
  wait_until postgres "$logfile" "" pg_ready
}

down_postgres() {
  if [[ -f "$PGDATA/postmaster.pid" ]] && as_pg "$PG_BIN/pg_ctl" status -D "$PGDATA" >/dev/null; then
    as_pg "$PG_BIN/pg_ctl" stop -D "$PGDATA" -m fast -w >/dev/null
    log "postgres: stopped"
  else
    log "postgres: not running (pg_ctl status -D $PGDATA)"
  fi
}

s3_curl() {
  # Credentials go through a config on stdin so they never show up in the process list. curl does
  # not send x-amz-content-sha256 by itself and S3Proxy rejects SigV4 requests without it.
  printf 'user = "%s:%s"\n' "$(cat "$STATE/s3-access-key")" "$(cat "$STATE/s3-secret-key")" \
    | curl -sS -K - --aws-sigv4 "aws:amz:$S3_REGION:s3" -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' "$@"
}

s3_answering() {
  local code
  code="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$S3_PORT/" || true)"
  [[ -n "$code" && "$code" != 000 ]]
}

ensure_s3proxy_jar() {
  if [[ -f "$S3PROXY_JAR" ]]; then
    return 0
  fi
  log "s3proxy: fetching $S3PROXY_ARTIFACT with Maven"
  mvn -q -B "-Dmaven.repo.local=$M2_REPO" dependency:get "-Dartifact=$S3PROXY_ARTIFACT" -Dtransitive=false
  [[ -f "$S3PROXY_JAR" ]] || die "s3proxy: $S3PROXY_JAR still missing after mvn dependency:get"
}

write_s3proxy_config() {
  ensure_secret "$STATE/s3-access-key" 10
  ensure_secret "$STATE/s3-secret-key" 20
  mkdir -p "$STATE/s3"
  chmod 700 "$STATE/s3"
  (
    umask 077
    cat >"$STATE/s3proxy.properties" <<EOF
s3proxy.endpoint=http://127.0.0.1:$S3_PORT
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$(cat "$STATE/s3-access-key")
s3proxy.credential=$(cat "$STATE/s3-secret-key")
s3proxy.ignore-unknown-headers=true
jclouds.provider=filesystem
jclouds.filesystem.basedir=$STATE/s3
EOF
  )
}

ensure_bucket() {
  local code
  code="$(s3_curl -o /dev/null -w '%{http_code}' -I "http://127.0.0.1:$S3_PORT/$S3_BUCKET")"
  case "$code" in
    200) return 0 ;;
    404) ;;
    *) die "s3proxy: HEAD /$S3_BUCKET answered HTTP $code; see $STATE/s3proxy.log" ;;
  esac
  local reply
  reply="$(s3_curl -w '\n%{http_code}' -X PUT "http://127.0.0.1:$S3_PORT/$S3_BUCKET")"
  code="${reply##*$'\n'}"
  [[ "$code" == 200 ]] || die "s3proxy: creating bucket $S3_BUCKET answered HTTP $code: ${reply%$'\n'*}"
  log "s3proxy: created bucket $S3_BUCKET"
}

up_s3proxy() {
  if s3_answering; then
    log "s3proxy: already answering on 127.0.0.1:$S3_PORT, left alone"
  else
    ensure_s3proxy_jar
    write_s3proxy_config
    log "s3proxy: starting on 127.0.0.1:$S3_PORT"
    # s3proxy's bundled logback.xml reads LOG_LEVEL/JETTY_LOG_LEVEL; at info it logs every request.
    start_detached "$STATE/s3proxy.pid" "$STATE/s3proxy.log" \
      java -DLOG_LEVEL=warn -DJETTY_LOG_LEVEL=warn \
      -Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener -Xmx256m \
      -jar "$S3PROXY_JAR" --properties "$STATE/s3proxy.properties"
    wait_until s3proxy "$STATE/s3proxy.log" "$STATE/s3proxy.pid" s3_answering
  fi
  [[ -s "$STATE/s3-access-key" && -s "$STATE/s3-secret-key" ]] \
    || die "s3proxy: answering on $S3_PORT but $STATE/s3-access-key is missing: it was not started by this script; stop it or set RUNBOOKS_STACK_DIR"
  ensure_bucket
}

down_s3proxy() { stop_pid s3proxy "$STATE/s3proxy.pid" "$S3PROXY_JAR"; }

# Prints the temporal CLI path, or nothing.
find_temporal() {
  local candidate gopath
  if candidate="$(command -v temporal 2>/dev/null)"; then
    echo "$candidate"
    return 0
  fi
  if [[ -x "$HOME/go/bin/temporal" ]]; then
    echo "$HOME/go/bin/temporal"
    return 0
  fi
  if command -v go >/dev/null && gopath="$(go env GOPATH)" && [[ -x "$gopath/bin/temporal" ]]; then
    echo "$gopath/bin/temporal"
  fi
}

temporal_healthy() {
  local health
  health="$("$1" operator cluster health --address "127.0.0.1:$TEMPORAL_PORT" 2>/dev/null)" || return 1
  [[ "$health" == *SERVING* ]]
}

ensure_search_attributes() {
  local cli="$1" existing name
  existing="$("$cli" operator search-attribute list --address "127.0.0.1:$TEMPORAL_PORT" --namespace default)"
  for name in "${SEARCH_ATTRIBUTES[@]}"; do
    if ! grep -qw "$name" <<<"$existing"; then
      "$cli" operator search-attribute create --address "127.0.0.1:$TEMPORAL_PORT" \
        --namespace default --name "$name" --type Keyword >/dev/null
      log "temporal: registered search attribute $name"
    fi
  done
}

up_temporal() {
  local cli
  cli="$(find_temporal)"
  if [[ -z "$cli" ]] && command -v go >/dev/null; then
    log "temporal: CLI not found, go install $TEMPORAL_CLI_MODULE (takes a few minutes)"
    go install "$TEMPORAL_CLI_MODULE"
    cli="$(find_temporal)"
  fi
  if [[ -z "$cli" ]]; then
    log "WARNING: no 'temporal' CLI and no Go toolchain to build it."
    log "WARNING: tests fall back to Temporal's in-process Java test server: no Schedules, no list queries."
    log "WARNING: install Go and rerun 'scripts/stack.sh up' for the real dev server."
    SERVICE_SKIPPED=true
    return 0
  fi
  if temporal_healthy "$cli"; then
    log "temporal: already serving on 127.0.0.1:$TEMPORAL_PORT, left alone"
  else
    local args=(server start-dev --db-filename "$STATE/temporal.db" --ip 127.0.0.1
      --port "$TEMPORAL_PORT" --ui-port "$TEMPORAL_UI_PORT" --log-level warn)
    local name
    for name in "${SEARCH_ATTRIBUTES[@]}"; do
      args+=(--search-attribute "$name=Keyword")
    done
    log "temporal: starting dev server on 127.0.0.1:$TEMPORAL_PORT (UI http://127.0.0.1:$TEMPORAL_UI_PORT)"
    start_detached "$STATE/temporal.pid" "$STATE/temporal.log" "$cli" "${args[@]}"
    wait_until temporal "$STATE/temporal.log" "$STATE/temporal.pid" temporal_healthy "$cli"
  fi
  ensure_search_attributes "$cli"
}

down_temporal() { stop_pid temporal "$STATE/temporal.pid" "$STATE/temporal.db"; }

# What the end-to-end tests use besides the servers: a browser for the Temporal UI check and
# docker-compose, which validates docker-compose.yml without a Docker engine.
ensure_test_tools() {
  local missing=()
  command -v chromium >/dev/null || missing+=(chromium)
  command -v chromedriver >/dev/null || missing+=(chromium-driver)
  command -v docker-compose >/dev/null || missing+=(docker-compose)
  if ((${#missing[@]})); then
    apt_install "${missing[@]}"
  fi
}

SERVICE_SKIPPED=false
timed() {
  local name="$1" start_us="${EPOCHREALTIME/./}" elapsed_ms
  shift
  SERVICE_SKIPPED=false
  "$@"
  if [[ "$SERVICE_SKIPPED" == false ]]; then
    elapsed_ms=$(((${EPOCHREALTIME/./} - start_us) / 1000))
    log "$name: ready in $((elapsed_ms / 1000)).$(printf '%03d' $((elapsed_ms % 1000)))s"
  fi
}

cmd_up() {
  local with_test_tools=false arg
  for arg in "$@"; do
    case "$arg" in
      --with-test-tools) with_test_tools=true ;;
      *) die "up: unknown option '$arg'; the only option is --with-test-tools" ;;
    esac
  done
  ensure_state_dir
  ensure_tools
  if [[ "$with_test_tools" == true ]]; then
    ensure_test_tools
  fi
  timed postgres up_postgres
  timed mariadb "$SCRIPTS/mariadb.sh" up
  timed s3proxy up_s3proxy
  timed temporal up_temporal
  # Their status tables are printed with ours by cmd_status.
  "$SCRIPTS/hosts.sh" up >/dev/null
  "$SCRIPTS/store.sh" up >/dev/null
  "$SCRIPTS/nginx.sh" up >/dev/null
  "$SCRIPTS/prometheus.sh" up
  cmd_status
}

cmd_down() {
  "$SCRIPTS/prometheus.sh" down
  "$SCRIPTS/nginx.sh" down
  "$SCRIPTS/store.sh" down
  "$SCRIPTS/hosts.sh" down
  down_temporal
  down_s3proxy
  "$SCRIPTS/mariadb.sh" down
  down_postgres
}

cmd_status() {
  local pg_note="(not started by this script)"
  if [[ -s "$PGDATA/postmaster.pid" ]]; then
    pg_note="pid $(head -n 1 "$PGDATA/postmaster.pid")"
  fi
  status_line postgres "$PG_PORT" "$pg_note"
  "$SCRIPTS/mariadb.sh" status
  status_line s3proxy "$S3_PORT" "$(pid_note "$STATE/s3proxy.pid" "$S3PROXY_JAR")"
  status_line temporal "$TEMPORAL_PORT" "$(pid_note "$STATE/temporal.pid" "$STATE/temporal.db") UI http://127.0.0.1:$TEMPORAL_UI_PORT"
  "$SCRIPTS/hosts.sh" status
  "$SCRIPTS/store.sh" status
  "$SCRIPTS/nginx.sh" status
  "$SCRIPTS/prometheus.sh" status
}

cmd_env() {
  local temporal_kind=dev-server
  if [[ -z "$(find_temporal)" ]] && ! port_open "$TEMPORAL_PORT"; then
    temporal_kind=java-test-server
  fi
  local var
  for var in \
    "RUNBOOKS_STACK_DIR=$STATE" \
    RUNBOOKS_PG_HOST=127.0.0.1 \
    "RUNBOOKS_PG_PORT=$PG_PORT" \
    RUNBOOKS_PG_USER=postgres \
    "RUNBOOKS_PG_PASSWORD_FILE=$STATE/pg-password" \
    "RUNBOOKS_PG_JDBC_URL=jdbc:postgresql://127.0.0.1:$PG_PORT/postgres" \
    "RUNBOOKS_S3_ENDPOINT=http://127.0.0.1:$S3_PORT" \
    "RUNBOOKS_S3_REGION=$S3_REGION" \
    "RUNBOOKS_S3_BUCKET=$S3_BUCKET" \
    "RUNBOOKS_S3_ACCESS_KEY_FILE=$STATE/s3-access-key" \
    "RUNBOOKS_S3_SECRET_KEY_FILE=$STATE/s3-secret-key" \
    "TEMPORAL_ADDRESS=127.0.0.1:$TEMPORAL_PORT" \
    TEMPORAL_NAMESPACE=default \
    "RUNBOOKS_TEMPORAL=$temporal_kind" \
    "RUNBOOKS_TEMPORAL_UI=http://127.0.0.1:$TEMPORAL_UI_PORT"; do
    printf 'export %s=%q\n' "${var%%=*}" "${var#*=}"
  done
  "$SCRIPTS/mariadb.sh" env
  "$SCRIPTS/hosts.sh" env
  "$SCRIPTS/store.sh" env
  "$SCRIPTS/nginx.sh" env
  "$SCRIPTS/prometheus.sh" env
}

main() {
  local cmd="${1:-}"
  shift || true
  case "$cmd" in
    up) cmd_up "$@" ;;
    down) cmd_down ;;
    status) cmd_status ;;
    env) cmd_env ;;
    *) die "usage: scripts/stack.sh up [--with-test-tools] | down | status | env (got '${cmd}')" ;;
  esac
}

main "$@"
