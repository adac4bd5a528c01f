#!/usr/bin/env bash
# Local stack of the rollout runbooks (kind: rollout): an nginx of its own on 127.0.0.1:18300 that
# sends each request to upstream rollout_v1 (demo-app v1 on 127.0.0.1:18311 and 18312) or
# rollout_v2 (v2 on 18321 and 18322) as conf.d/rollout-split.conf decides, and the SSH host lb1 on
# 127.0.0.1:12210 (scripts/hosts.sh sshd) from which a runbook rewrites that file and reloads nginx
# with bin/nginx-ctl. State in $STATE/rollout; scripts/stack.sh calls this for up, down, status and
# env.
# Usage: scripts/nginx.sh up | down | status | env
#
# nginx is Debian's /usr/sbin/nginx started with -p $STATE/rollout/nginx/ and -e for its error log,
# so it reads and writes nothing under /etc/nginx or /var/log/nginx. Started by root, its workers
# run as root too (`user root root;`): they use only loopback sockets and files under the prefix.
# Started by another user, master and workers run as that user.
set -euo pipefail

SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DEMO_APP="$(dirname "$SCRIPTS")/demo-app"
STATE="${RUNBOOKS_STACK_DIR:-/var/tmp/durable-runbooks}"
READY_TIMEOUT="${RUNBOOKS_STACK_TIMEOUT:-90}"
LOG_NAME=nginx
# shellcheck source=scripts/stack-lib.sh
source "$SCRIPTS/stack-lib.sh"

ROLLOUT_DIR="$STATE/rollout"
NGINX_DIR="$ROLLOUT_DIR/nginx"
NGINX_CONF="$NGINX_DIR/nginx.conf"
NGINX_PID_FILE="$NGINX_DIR/run/nginx.pid"
NGINX_ERROR_LOG="$NGINX_DIR/logs/error.log"
NGINX_CTL="$NGINX_DIR/bin/nginx-ctl"
SPLIT_FILE="$NGINX_DIR/conf.d/rollout-split.conf"
BACKENDS_DIR="$ROLLOUT_DIR/backends"
LB_NAME=lb1
LB_DIR="$ROLLOUT_DIR/$LB_NAME"
LB_SSH_PORT=12210
NGINX_PORT=18300
NGINX=/usr/sbin/nginx
PYTHON=/usr/bin/python3
PG_PORT=15432
DEMO_DB=demo_app
# name:port; the version is the name's first two characters, and the release id too.
BACKENDS=(v1a:18311 v1b:18312 v2a:18321 v2b:18322)

backend_names() {
  local entry
  for entry in "${BACKENDS[@]}"; do
    echo "${entry%%:*}"
  done
}

backend_port() {
  local entry
  for entry in "${BACKENDS[@]}"; do
    if [[ "${entry%%:*}" == "$1" ]]; then
      echo "${entry#*:}"
      return 0
    fi
  done
  die "no backend $1"
}

backend_version() { echo "${1:0:2}"; }
backend_dir() { echo "$BACKENDS_DIR/$1"; }

# Where tests drop SLOW_MS, FAIL_ROUTES or FAIL_HEALTH: the demo application reads them there.
release_dir() { echo "$(backend_dir "$1")/app/releases/$(backend_version "$1")"; }

# The release dirs of one version, space-separated.
release_dirs() {
  local name dirs=()
  for name in $(backend_names); do
    if [[ "$(backend_version "$name")" == "$1" ]]; then
      dirs+=("$(release_dir "$name")")
    fi
  done
  echo "${dirs[*]}"
}

backend_urls() {
  local name urls=()
  for name in $(backend_names); do
    if [[ "$(backend_version "$name")" == "$1" ]]; then
      urls+=("http://127.0.0.1:$(backend_port "$name")")
    fi
  done
  echo "${urls[*]}"
}

ensure_tools() {
  local missing=()
  [[ -x "$NGINX" ]] || missing+=(nginx)
  [[ -x "$PYTHON" ]] || missing+=(python3)
  command -v psql >/dev/null || missing+=(postgresql-client)
  command -v curl >/dev/null || missing+=(curl)
  if ((${#missing[@]})); then
    apt_install "${missing[@]}"
  fi
  [[ -x "$NGINX" ]] || die "$NGINX still missing after installing nginx"
}

# --- backends: demo-app/ run by scripts/demo-host/service, like the apps of scripts/hosts.sh ---

# A digest of demo-app/ (file names and contents), to tell whether a backend serves today's code.
demo_app_digest() {
  (cd "$DEMO_APP" && find . -name __pycache__ -prune -o -type f -print0 | LC_ALL=C sort -z \
    | xargs -0 sha256sum | sha256sum | cut -d ' ' -f 1)
}

# Where up_backend notes the digest of the demo-app/ a backend's worker was started from.
served_digest_file() { echo "$(backend_dir "$1")/run/demo-app.sha256"; }

# Copies demo-app/ into the backend's release dir releases/<version>. An existing release is updated
# file by file, each renamed over its old version: its path is where tests drop SLOW_MS,
# FAIL_ROUTES and FAIL_HEALTH (kept, as they are not in demo-app/), and the running worker reads
# those and its static files there on every request, so none may go missing even for a moment.
install_backend_release() {
  local name="$1" releases id release staged file
  releases="$(backend_dir "$name")/app/releases"
  id="$(backend_version "$name")"
  release="$releases/$id"
  staged="$releases/$id.tmp"
  rm -rf "${staged:?}"
  cp -R "$DEMO_APP" "$staged"
  find "$staged" -name __pycache__ -prune -exec rm -rf {} +
  echo "$id" >"$staged/VERSION"
  if [[ -d "$release" ]]; then
    while IFS= read -r -d '' file; do
      mkdir -p "$(dirname "$release/$file")"
      mv -f "$staged/$file" "$release/$file"
    done < <(cd "$staged" && find . -type f -print0)
    rm -rf "${staged:?}"
  else
    mv "$staged" "$release"
  fi
  if [[ ! -e "$(backend_dir "$name")/app/current" ]]; then
    ln -sfn "releases/$id" "$(backend_dir "$name")/app/current"
  fi
  log "$name: installed release $id from demo-app/"
}

prepare_backend() {
  local name="$1" dir
  dir="$(backend_dir "$name")"
  mkdir -p "$dir/bin" "$dir/run" "$dir/log" "$dir/app/releases" "$dir/app/shared"
  install -m 755 "$SCRIPTS/demo-host/service" "$dir/bin/service"
  cat >"$dir/app/shared/app.env" <<EOF
# Managed by scripts/nginx.sh, rewritten on every 'up'. KEY=value, one a line, no quoting.
PORT=$(backend_port "$name")
APP_NAME=demo-app
APP_HOST=$name
DATABASE_URL=postgresql://postgres@127.0.0.1:$PG_PORT/$DEMO_DB
DB_PASSWORD_FILE=$STATE/pg-password
EOF
}

# Starts a backend, or leaves it alone when it serves the current demo-app/. When demo-app/ changed
# since its worker started, the release is refreshed and the service reloaded: a new worker on the
# same socket, the old one draining, so clients see no error.
up_backend() {
  local name="$1" dir digest served="" status=0
  dir="$(backend_dir "$name")"
  digest="$(demo_app_digest)"
  if [[ -f "$(served_digest_file "$name")" ]]; then
    served="$(cat "$(served_digest_file "$name")")"
  fi
  "$dir/bin/service" status >/dev/null 2>&1 || status=$?
  if ((status == 3)) && port_open "$(backend_port "$name")"; then
    die "$name: 127.0.0.1:$(backend_port "$name") is taken by a process this script did not start; stop it"
  fi
  if [[ "$served" != "$digest" || ! -e "$dir/app/current" ]]; then
    install_backend_release "$name"
  fi
  if ((status == 3)); then
    "$dir/bin/service" start | sed "s/^/$LOG_NAME: /" >&2
  elif [[ "$served" != "$digest" ]]; then
    if ! "$dir/bin/service" reload 2>&1 | sed "s/^/$LOG_NAME: /" >&2; then
      die "$name: reload onto the refreshed release failed (see above); the old worker keeps serving"
    fi
  else
    "$dir/bin/service" start | sed "s/^/$LOG_NAME: /" >&2
  fi
  echo "$digest" >"$(served_digest_file "$name")"
}

# The test files present in a backend's release, e.g. " (SLOW_MS=300)", so a leftover is seen.
test_files_note() {
  local release file notes=()
  release="$(release_dir "$1")"
  for file in SLOW_MS FAIL_ROUTES FAIL_HEALTH; do
    if [[ -f "$release/$file" ]]; then
      notes+=("$file=$(tr '\n' ',' <"$release/$file" | sed 's/,$//')")
    fi
  done
  if ((${#notes[@]})); then
    echo " (${notes[*]})"
  fi
}

# --- nginx ---

nginx_conf() {
  local name version
  echo "# Managed by scripts/nginx.sh, rewritten on every 'up'; conf.d/rollout-split.conf belongs to the"
  echo "# rollout runbook. Test and reload with bin/nginx-ctl test|reload."
  if is_root; then
    echo "user root root;"
  fi
  cat <<EOF
worker_processes 1;
# In the foreground, so scripts/nginx.sh starts and stops it like its other processes.
daemon off;
pid $NGINX_PID_FILE;
# notice: reloads are logged ("reconfiguring", "gracefully shutting down").
error_log $NGINX_ERROR_LOG notice;

events {
    worker_connections 1024;
}

http {
    default_type application/octet-stream;
    server_tokens off;
    # Debian compiles in /var/lib/nginx for these.
    client_body_temp_path $NGINX_DIR/tmp/client_body;
    proxy_temp_path $NGINX_DIR/tmp/proxy;
    fastcgi_temp_path $NGINX_DIR/tmp/fastcgi;
    uwsgi_temp_path $NGINX_DIR/tmp/uwsgi;
    scgi_temp_path $NGINX_DIR/tmp/scgi;

    log_format rollout '\$time_iso8601 \$remote_addr "\$request" status=\$status '
                       'request_time=\$request_time backend=\$rollout_backend '
                       'upstream=\$upstream_addr upstream_status=\$upstream_status '
                       'upstream_time=\$upstream_response_time id=\$request_id';
    access_log $NGINX_DIR/logs/access.log rollout;

EOF
  for version in v1 v2; do
    echo "    upstream rollout_$version {"
    for name in $(backend_names); do
      if [[ "$(backend_version "$name")" == "$version" ]]; then
        echo "        server 127.0.0.1:$(backend_port "$name");"
      fi
    done
    echo "        keepalive 16;"
    echo "    }"
  done
  cat <<EOF

    # Sets \$rollout_backend to rollout_v1 or rollout_v2 for each request (split_clients).
    include $NGINX_DIR/conf.d/*.conf;

    server {
        listen 127.0.0.1:$NGINX_PORT;
        # No keep-alive towards clients: a reload closes the old workers' idle keep-alive
        # connections, and a client that sends its next request on one just then gets no answer.
        # Every answer carries "Connection: close" instead, so a reload never fails a request.
        keepalive_timeout 0;

        location / {
            proxy_pass http://\$rollout_backend;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_set_header X-Request-Id \$request_id;
            proxy_connect_timeout 1s;
            proxy_send_timeout 30s;
            proxy_read_timeout 30s;
            # A retry goes to the other server of the same upstream, never to the other version.
            # Non-idempotent requests (POST, ...) are not retried: nginx's default.
            proxy_next_upstream error timeout;
            proxy_next_upstream_tries 2;
            add_header X-Rollout-Backend \$rollout_backend always;
        }
    }
}
EOF
}

initial_split() {
  cat <<'EOF'
# The rollout runbook's file; scripts/nginx.sh writes it only when it is absent. Which upstream
# serves a request: rollout_v1 or rollout_v2, by percentage, `*` for the rest. Replace it whole
# (write rollout-split.conf.tmp, then mv: only *.conf is included), then `nginx-ctl reload`.
split_clients "${request_id}" $rollout_backend {
    * rollout_v1;
}
EOF
}

# bin/nginx-ctl, what the rollout runbook runs on lb1. reload tests the configuration first and
# returns once the new workers serve and the old ones no longer accept connections.
nginx_ctl() {
  echo '#!/usr/bin/env bash'
  echo "# Written by scripts/nginx.sh up. Usage: nginx-ctl test|reload|status"
  echo "#   test    $NGINX -t on this nginx's configuration; exit 0 when it is valid"
  echo "#   reload  test, then a graceful reload (requests in flight finish on the old workers); exits"
  echo "#           once no old worker accepts connections any more. Exit 1, the running"
  echo "#           configuration staying live, when the test fails or no new workers start."
  echo "#   status  exit 0 and the master's pid, workers and split when running, 3 when stopped"
  echo "set -euo pipefail"
  printf 'NGINX=%q\nPREFIX=%q\nCONF=%q\nPID_FILE=%q\nERROR_LOG=%q\nSPLIT_FILE=%q\n' \
    "$NGINX" "$NGINX_DIR/" "$NGINX_CONF" "$NGINX_PID_FILE" "$NGINX_ERROR_LOG" "$SPLIT_FILE"
  cat <<'EOF'
RELOAD_TIMEOUT_S=10

die() {
  printf 'nginx-ctl: %s\n' "$*" >&2
  exit 1
}

run_nginx() { "$NGINX" -p "$PREFIX" -c "$CONF" -e "$ERROR_LOG" "$@"; }

# The live master's pid; its title carries the configuration path, so a recycled pid never counts.
master_pid() {
  local pid title
  [[ -s "$PID_FILE" ]] || return 1
  read -r pid <"$PID_FILE" || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  title="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  [[ "$title" == "nginx: master process "*"$CONF"* ]] || return 1
  echo "$pid"
}

# The master's workers that accept connections, one pid a line. A retiring worker closes its
# listening sockets first and then calls itself "worker process is shutting down".
accepting_workers() {
  local master="$1" stat pid stat_line fields title
  for stat in /proc/[0-9]*/stat; do
    pid="${stat#/proc/}"
    pid="${pid%/stat}"
    read -r stat_line 2>/dev/null <"$stat" || continue
    read -r -a fields <<<"${stat_line##*) }"
    [[ "${fields[1]:-}" == "$master" ]] || continue
    # A worker may exit between the two reads: no title then.
    title=""
    { IFS= read -r -d '' title <"/proc/$pid/cmdline"; } 2>/dev/null || true
    if [[ "$title" == "nginx: worker process" ]]; then
      echo "$pid"
    fi
  done
}

split_summary() {
  grep -Eo '([0-9.]+%|\*)[[:space:]]+[A-Za-z0-9_]+' "$SPLIT_FILE" 2>/dev/null | tr -s ' \t' ' ' \
    | paste -sd ',' - | sed 's/,/, /g'
}

cmd_test() { run_nginx -t; }

cmd_reload() {
  local master old new fresh stale started_us elapsed_ms deadline output
  master="$(master_pid)" || die "not running (no live master in $PID_FILE); start it with scripts/nginx.sh up"
  if ! output="$(run_nginx -t 2>&1)"; then
    printf '%s\n' "$output" >&2
    die "$NGINX -t failed, NOT reloaded: the running configuration stays live"
  fi
  started_us="${EPOCHREALTIME/./}"
  old="$(accepting_workers "$master" | sort)"
  run_nginx -s reload
  deadline=$((SECONDS + RELOAD_TIMEOUT_S))
  while :; do
    new="$(accepting_workers "$master" | sort)"
    fresh="$(comm -13 <(echo "$old") <(echo "$new") | paste -sd ' ' -)"
    stale="$(comm -12 <(echo "$old") <(echo "$new") | paste -sd ' ' -)"
    if [[ -n "$fresh" && -z "$stale" ]]; then
      break
    fi
    if ((SECONDS >= deadline)); then
      tail -n 5 "$ERROR_LOG" >&2
      die "reload: after ${RELOAD_TIMEOUT_S}s new workers '${fresh}', old workers still accepting '${stale}'; see $ERROR_LOG"
    fi
    sleep 0.02
  done
  elapsed_ms=$(((${EPOCHREALTIME/./} - started_us) / 1000))
  echo "nginx-ctl: reloaded in ${elapsed_ms} ms (master $master, workers $(echo "$old" | paste -sd ' ' -) -> $fresh), split: $(split_summary)"
}

cmd_status() {
  local master
  if ! master="$(master_pid)"; then
    echo "nginx-ctl: stopped"
    exit 3
  fi
  echo "nginx-ctl: running, master $master, workers $(accepting_workers "$master" | paste -sd ' ' -), split: $(split_summary)"
}

case "${1:-}" in
  test) cmd_test ;;
  reload) cmd_reload ;;
  status) cmd_status ;;
  *) die "usage: nginx-ctl test|reload|status (got '${1:-}')" ;;
esac
EOF
}

up_nginx() {
  mkdir -p "$NGINX_DIR/bin" "$NGINX_DIR/conf.d" "$NGINX_DIR/run" "$NGINX_DIR/logs" "$NGINX_DIR/tmp"
  nginx_ctl >"$NGINX_CTL.new"
  chmod 755 "$NGINX_CTL.new"
  mv -f "$NGINX_CTL.new" "$NGINX_CTL"
  if [[ ! -f "$SPLIT_FILE" ]]; then
    initial_split >"$SPLIT_FILE"
    log "lb1-nginx: wrote the initial split (all traffic to rollout_v1) to $SPLIT_FILE"
  fi
  nginx_conf >"$NGINX_CONF.new"
  if pid_alive "$NGINX_PID_FILE" "$NGINX_CONF"; then
    if cmp -s "$NGINX_CONF.new" "$NGINX_CONF"; then
      rm "$NGINX_CONF.new"
      log "lb1-nginx: already running (pid $(head -n 1 "$NGINX_PID_FILE")), left alone"
    else
      mv "$NGINX_CONF.new" "$NGINX_CONF"
      "$NGINX_CTL" reload >&2 || die "lb1-nginx: the new $NGINX_CONF does not load; the old configuration stays live"
      log "lb1-nginx: configuration changed, reloaded"
    fi
    return 0
  fi
  mv "$NGINX_CONF.new" "$NGINX_CONF"
  port_open "$NGINX_PORT" && die "lb1-nginx: 127.0.0.1:$NGINX_PORT is taken by a process this script did not start; stop it"
  local output
  output="$("$NGINX_CTL" test 2>&1)" || die "lb1-nginx: $NGINX -t rejects $NGINX_CONF:
$output"
  start_detached "$NGINX_PID_FILE" "$NGINX_DIR/logs/nginx.out" \
    "$NGINX" -p "$NGINX_DIR/" -c "$NGINX_CONF" -e "$NGINX_ERROR_LOG"
  wait_until lb1-nginx "$NGINX_ERROR_LOG" "$NGINX_PID_FILE" port_open "$NGINX_PORT"
  log "lb1-nginx: started on 127.0.0.1:$NGINX_PORT (pid $(head -n 1 "$NGINX_PID_FILE"))"
}

cmd_up() {
  local name
  ensure_state_dir
  ensure_tools
  mkdir -p "$ROLLOUT_DIR"
  chmod 755 "$ROLLOUT_DIR"
  "$SCRIPTS/hosts.sh" sshd up "$LB_NAME" "$LB_SSH_PORT" "$LB_DIR"
  for name in $(backend_names); do
    prepare_backend "$name"
  done
  for name in $(backend_names); do
    up_backend "$name"
  done
  up_nginx
  cmd_status
}

cmd_down() {
  local name
  stop_pid lb1-nginx "$NGINX_PID_FILE" "$NGINX_CONF"
  for name in $(backend_names); do
    if [[ -x "$(backend_dir "$name")/bin/service" ]]; then
      "$(backend_dir "$name")/bin/service" stop | sed "s/^/$LOG_NAME: /" >&2
    fi
  done
  if [[ -f "$LB_DIR/sshd_config" ]]; then
    "$SCRIPTS/hosts.sh" sshd down "$LB_NAME"
  fi
}

cmd_status() {
  local name dir detail state split=""
  if [[ -f "$LB_DIR/sshd_config" ]]; then
    "$SCRIPTS/hosts.sh" sshd status "$LB_NAME"
  else
    status_line "$LB_NAME-ssh" "$LB_SSH_PORT" ""
  fi
  if [[ -x "$NGINX_CTL" ]] && detail="$("$NGINX_CTL" status 2>/dev/null)"; then
    split="${detail##*split: }"
  fi
  status_line lb1-nginx "$NGINX_PORT" "$(pid_note "$NGINX_PID_FILE" "$NGINX_CONF")${split:+, split: $split}"
  for name in $(backend_names); do
    dir="$(backend_dir "$name")"
    if [[ ! -x "$dir/bin/service" ]]; then
      status_line "$name-app" "$(backend_port "$name")" ""
      continue
    fi
    state=up
    # service status: 0 healthy, 3 stopped, anything else running but failing.
    detail="$("$dir/bin/service" status 2>&1)" || { [[ $? == 3 ]] && state=down || state=fail; }
    printf '%-9s %-5s 127.0.0.1:%-5s %s%s\n' "$name-app" "$state" "$(backend_port "$name")" \
      "${detail#"$name": }" "$(test_files_note "$name")"
  done
}

cmd_env() {
  local var
  for var in \
    "RUNBOOKS_NGINX_URL=http://127.0.0.1:$NGINX_PORT" \
    "RUNBOOKS_NGINX_CTL=$NGINX_CTL" \
    "RUNBOOKS_NGINX_SPLIT_FILE=$SPLIT_FILE" \
    "RUNBOOKS_NGINX_DIR=$NGINX_DIR" \
    "RUNBOOKS_LB_HOST=$LB_NAME=127.0.0.1:$LB_SSH_PORT" \
    "RUNBOOKS_LB_SSH_PORT=$LB_SSH_PORT" \
    "RUNBOOKS_ROLLOUT_V1_DIRS=$(release_dirs v1)" \
    "RUNBOOKS_ROLLOUT_V2_DIRS=$(release_dirs v2)" \
    "RUNBOOKS_ROLLOUT_V1_URLS=$(backend_urls v1)" \
    "RUNBOOKS_ROLLOUT_V2_URLS=$(backend_urls v2)"; do
    printf 'export %s=%q\n' "${var%%=*}" "${var#*=}"
  done
}

run_verb nginx.sh "$@"
