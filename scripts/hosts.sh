#!/usr/bin/env bash
# Local SSH "hosts" for the deploy runbooks: web1..webN on this machine, each its own sshd on
# 127.0.0.1:1220K (own host key, key-only login) and a copy of demo-app/ served from the host's
# `current` release on 127.0.0.1:1810K by <host>/bin/service (zero-downtime reload). State in
# $STATE/hosts and $STATE/ssh; scripts/stack.sh calls this for up, down, status and env.
# Usage: scripts/hosts.sh up [N] | down | status | env | release HOST ID | sshd up NAME PORT DIR |
#        sshd down|status NAME
#   release HOST ID         copies demo-app/ into HOST's app/releases/ID (VERSION = ID), for tests
#   sshd up NAME PORT DIR   one more SSH host NAME without an app (e.g. lb1 of scripts/nginx.sh):
#                           sshd on 127.0.0.1:PORT, host key and files in DIR, same login and
#                           client keys as web1..N, its key in known_hosts
set -euo pipefail

SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DEMO_APP="$(dirname "$SCRIPTS")/demo-app"
STATE="${RUNBOOKS_STACK_DIR:-/var/tmp/durable-runbooks}"
READY_TIMEOUT="${RUNBOOKS_STACK_TIMEOUT:-90}"
LOG_NAME=hosts
# shellcheck source=scripts/stack-lib.sh
source "$SCRIPTS/stack-lib.sh"

HOSTS_DIR="$STATE/hosts"
SSH_DIR="$STATE/ssh"
COUNT_FILE="$HOSTS_DIR/count"
# The hosts of 'sshd up': "NAME PORT DIR", one a line; kept after 'sshd down', like their host keys.
EXTRA_FILE="$HOSTS_DIR/extra-sshd"
DEFAULT_COUNT=4
MAX_COUNT=20
SSH_PORT_BASE=12200
APP_PORT_BASE=18100
PG_PORT=15432
DEMO_DB=demo_app
SSHD=/usr/sbin/sshd
PYTHON=/usr/bin/python3

host_dir() { echo "$HOSTS_DIR/web$1"; }

# The number of hosts of the last 'up', or the default.
host_count() {
  if [[ -s "$COUNT_FILE" ]]; then cat "$COUNT_FILE"; else echo "$DEFAULT_COUNT"; fi
}

# Every host that has a directory, also those beyond the current count.
existing_hosts() {
  local dir
  for dir in "$HOSTS_DIR"/web*; do
    [[ -d "$dir" ]] && echo "${dir##*/web}"
  done | sort -n
}

ensure_host_tools() {
  local missing=()
  [[ -x "$SSHD" ]] || missing+=(openssh-server)
  command -v ssh-keygen >/dev/null || missing+=(openssh-client)
  [[ -x "$PYTHON" ]] || missing+=(python3)
  # The demo application's database drivers: PostgreSQL, and MySQL/MariaDB for the cutover's store1.
  "$PYTHON" -c 'import psycopg2' 2>/dev/null || missing+=(python3-psycopg2)
  "$PYTHON" -c 'import pymysql' 2>/dev/null || missing+=(python3-pymysql)
  command -v psql >/dev/null || missing+=(postgresql-client)
  command -v curl >/dev/null || missing+=(curl)
  if ((${#missing[@]})); then
    apt_install "${missing[@]}"
  fi
  [[ -x "$SSHD" ]] || die "$SSHD still missing after installing openssh-server"
}

# Client keys: one without and one with a passphrase, both authorized on every host.
ensure_client_keys() {
  mkdir -p "$SSH_DIR"
  chmod 700 "$SSH_DIR"
  if [[ ! -f "$SSH_DIR/id_ed25519" ]]; then
    ssh-keygen -q -t ed25519 -N '' -C "durable-runbooks local" -f "$SSH_DIR/id_ed25519"
    log "created client key $SSH_DIR/id_ed25519"
  fi
  if [[ ! -f "$SSH_DIR/id_ed25519_pass" || ! -s "$SSH_DIR/passphrase" ]]; then
    rm -f "$SSH_DIR/id_ed25519_pass" "$SSH_DIR/id_ed25519_pass.pub" "$SSH_DIR/passphrase"
    ensure_secret "$SSH_DIR/passphrase" 16
    # ssh-keygen takes a new passphrase only as an argument; this is a throwaway local test key.
    ssh-keygen -q -t ed25519 -N "$(cat "$SSH_DIR/passphrase")" -C "durable-runbooks local (passphrase)" \
      -f "$SSH_DIR/id_ed25519_pass"
    log "created client key $SSH_DIR/id_ed25519_pass (passphrase in $SSH_DIR/passphrase)"
  fi
  # Replaced, not rewritten in place: sshd reads it at every login, also while this runs.
  cat "$SSH_DIR/id_ed25519.pub" "$SSH_DIR/id_ed25519_pass.pub" >"$SSH_DIR/authorized_keys.tmp"
  chmod 600 "$SSH_DIR/authorized_keys.tmp"
  mv -f "$SSH_DIR/authorized_keys.tmp" "$SSH_DIR/authorized_keys"
  chmod 600 "$SSH_DIR"/*
}

# Host keys are made once and kept, so known_hosts lines stay valid across down/up.
ensure_host_key() {
  local name="$1" dir="$2"
  if [[ ! -f "$dir/ssh_host_ed25519_key" ]]; then
    ssh-keygen -q -t ed25519 -N '' -C "$name" -f "$dir/ssh_host_ed25519_key"
    log "$name: created host key"
  fi
  chmod 600 "$dir/ssh_host_ed25519_key"
}

known_hosts_line() {
  local port="$1" dir="$2"
  printf '[127.0.0.1]:%d %s\n' "$port" "$(cut -d ' ' -f 1,2 "$dir/ssh_host_ed25519_key.pub")"
}

# web1..count, then the hosts of 'sshd up'. Replaced, not rewritten in place: SSH clients of
# running tests read it at any moment.
write_known_hosts() {
  local count="$1" k name port dir
  {
    for ((k = 1; k <= count; k++)); do
      known_hosts_line $((SSH_PORT_BASE + k)) "$(host_dir "$k")"
    done
    if [[ -f "$EXTRA_FILE" ]]; then
      while read -r name port dir; do
        if [[ -f "$dir/ssh_host_ed25519_key.pub" ]]; then
          known_hosts_line "$port" "$dir"
        fi
      done <"$EXTRA_FILE"
    fi
  } >"$SSH_DIR/known_hosts.tmp"
  chmod 600 "$SSH_DIR/known_hosts.tmp"
  mv -f "$SSH_DIR/known_hosts.tmp" "$SSH_DIR/known_hosts"
}

# Prints the sshd configuration of the host NAME whose files are in DIR.
sshd_config() {
  local name="$1" dir="$2" port="$3"
  cat <<EOF
# Managed by scripts/hosts.sh, rewritten on every 'up'.
ListenAddress 127.0.0.1:$port
HostKey "$dir/ssh_host_ed25519_key"
PidFile "$dir/run/sshd.pid"
AuthorizedKeysFile "$SSH_DIR/authorized_keys"
AllowUsers $(id -un)
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
# The state directory lies below /var/tmp, which is world-writable: StrictModes would refuse the keys.
StrictModes no
Subsystem sftp internal-sftp
SetEnv RUNBOOKS_LOCAL_HOST=$name
AllowAgentForwarding no
AllowTcpForwarding no
X11Forwarding no
PrintMotd no
EOF
}

up_sshd() {
  local name="$1" dir="$2" port="$3" config
  config="$dir/sshd_config"
  sshd_config "$name" "$dir" "$port" >"$config.new"
  if pid_alive "$dir/run/sshd.pid" "$config"; then
    if cmp -s "$config.new" "$config"; then
      rm "$config.new"
    else
      mv "$config.new" "$config"
      # sshd re-executes itself on SIGHUP and so reads the new configuration.
      kill -HUP "$(head -n 1 "$dir/run/sshd.pid")"
      log "$name: sshd configuration changed, reloaded"
    fi
    return 0
  fi
  mv "$config.new" "$config"
  port_open "$port" && die "$name: 127.0.0.1:$port is taken by a process this script did not start; stop it"
  "$SSHD" -t -f "$config" || die "$name: $SSHD -t rejects $config"
  start_detached "$dir/run/sshd.pid" "$dir/log/sshd.log" "$SSHD" -D -e -f "$config"
}

# Copies demo-app/ into a host's releases/<id>, with a VERSION file naming the release.
install_release() {
  local k="$1" id="$2" releases
  releases="$(host_dir "$k")/app/releases"
  [[ "$id" =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]] || die "release id '$id' may only use letters, digits, '.', '_' and '-'"
  [[ "$(readlink -f "$releases/../current")" != "$(readlink -f "$releases/$id")" ]] \
    || die "web$k: release $id is the current one; switch away from it before replacing it"
  rm -rf "${releases:?}/$id.tmp" "${releases:?}/$id"
  cp -R "$DEMO_APP" "$releases/$id.tmp"
  find "$releases/$id.tmp" -name __pycache__ -prune -exec rm -rf {} +
  echo "$id" >"$releases/$id.tmp/VERSION"
  mv "$releases/$id.tmp" "$releases/$id"
}

write_app_env() {
  local k="$1"
  cat >"$(host_dir "$k")/app/shared/app.env" <<EOF
# Managed by scripts/hosts.sh, rewritten on every 'up'. KEY=value, one a line, no quoting.
PORT=$((APP_PORT_BASE + k))
APP_NAME=demo-app
APP_HOST=web$k
DATABASE_URL=postgresql://postgres@127.0.0.1:$PG_PORT/$DEMO_DB
DB_PASSWORD_FILE=$STATE/pg-password
EOF
}

prepare_host() {
  local k="$1" dir
  dir="$(host_dir "$k")"
  mkdir -p "$dir/bin" "$dir/run" "$dir/log" "$dir/app/releases" "$dir/app/shared"
  ensure_host_key "web$k" "$dir"
  install -m 755 "$SCRIPTS/demo-host/service" "$dir/bin/service"
  write_app_env "$k"
  if [[ ! -e "$dir/app/current" && ! -L "$dir/app/current" ]]; then
    install_release "$k" v1
    ln -s releases/v1 "$dir/app/current"
    log "web$k: installed release v1 from demo-app/"
  fi
}

pg_psql() {
  PGPASSWORD="$(cat "$STATE/pg-password")" PGOPTIONS='-c client_min_messages=warning' \
    psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres "$@"
}

# The demo application's database: created once, with a few rows to read.
ensure_demo_db() {
  [[ -s "$STATE/pg-password" ]] || die "$STATE/pg-password is missing: run scripts/stack.sh up first"
  local exists
  exists="$(pg_psql -d postgres -c "select 1 from pg_database where datname = '$DEMO_DB'" 2>&1)" \
    || die "PostgreSQL on 127.0.0.1:$PG_PORT does not answer ($exists): run scripts/stack.sh up first"
  if [[ "$exists" != 1 ]]; then
    pg_psql -d postgres -c "create database $DEMO_DB"
    log "postgres: created database $DEMO_DB"
  fi
  pg_psql -d "$DEMO_DB" <<'SQL'
create table if not exists items(id bigserial primary key, name text not null,
  price numeric(10,2) not null, created_at timestamptz not null default now());
insert into items(name, price)
  select v.name, v.price from (values ('anvil', 49.90), ('rope', 7.50), ('lantern', 19.00),
    ('compass', 24.95), ('tent', 129.00)) v(name, price)
  where not exists (select 1 from items);
SQL
}

stop_host() {
  local k="$1" dir
  dir="$(host_dir "$k")"
  if [[ -x "$dir/bin/service" ]]; then
    "$dir/bin/service" stop | sed "s/^/$LOG_NAME: /" >&2
  fi
  stop_sshd "web$k" "$dir"
}

stop_sshd() { stop_pid "$1 sshd" "$2/run/sshd.pid" "$2/sshd_config"; }

# A web host must not take the port of a host from 'sshd up'.
check_extra_ports() {
  local count="$1" name port dir
  [[ -f "$EXTRA_FILE" ]] || return 0
  while read -r name port dir; do
    if ((port > SSH_PORT_BASE && port <= SSH_PORT_BASE + count)); then
      die "up: web$((port - SSH_PORT_BASE)) would listen on 127.0.0.1:$port, the port of $name (files in $dir); use fewer hosts"
    fi
  done <"$EXTRA_FILE"
}

# Prints "PORT DIR" of an extra host from 'sshd up', or fails.
extra_host() {
  local name="$1" entry
  [[ -f "$EXTRA_FILE" ]] || return 1
  entry="$(awk -v name="$name" '$1 == name { print $2, $3 }' "$EXTRA_FILE")"
  [[ -n "$entry" ]] && echo "$entry"
}

ensure_sshd_run_dir() {
  if is_root; then
    # sshd's privilege separation directory; sshd started as another user does not need it.
    mkdir -p /run/sshd
    chmod 755 /run/sshd
  fi
}

cmd_up() {
  local count="${1:-$(host_count)}" k
  if ! [[ "$count" =~ ^[0-9]+$ ]] || ((count < 1 || count > MAX_COUNT)); then
    die "up: host count '$count' must be a number from 1 to $MAX_COUNT"
  fi
  ensure_state_dir
  check_extra_ports "$count"
  ensure_host_tools
  ensure_demo_db
  ensure_client_keys
  ensure_sshd_run_dir
  mkdir -p "$HOSTS_DIR"
  echo "$count" >"$COUNT_FILE"
  for k in $(existing_hosts); do
    if ((k > count)); then
      stop_host "$k"
    fi
  done
  for ((k = 1; k <= count; k++)); do
    prepare_host "$k"
  done
  write_known_hosts "$count"
  for ((k = 1; k <= count; k++)); do
    up_sshd "web$k" "$(host_dir "$k")" $((SSH_PORT_BASE + k))
  done
  for ((k = 1; k <= count; k++)); do
    "$(host_dir "$k")/bin/service" start | sed "s/^/$LOG_NAME: /" >&2
  done
  for ((k = 1; k <= count; k++)); do
    wait_until "web$k sshd" "$(host_dir "$k")/log/sshd.log" "$(host_dir "$k")/run/sshd.pid" \
      port_open $((SSH_PORT_BASE + k))
  done
  cmd_status
}

cmd_down() {
  local k
  for k in $(existing_hosts); do
    stop_host "$k"
  done
}

cmd_status() {
  local k dir detail state
  for k in $(existing_hosts); do
    dir="$(host_dir "$k")"
    status_line "web$k-ssh" $((SSH_PORT_BASE + k)) "$(pid_note "$dir/run/sshd.pid" "$dir/sshd_config")"
    state=up
    # service status: 0 healthy, 3 stopped, anything else running but failing.
    detail="$("$dir/bin/service" status 2>&1)" || { [[ $? == 3 ]] && state=down || state=fail; }
    printf '%-9s %-5s 127.0.0.1:%-5s %s\n' "web$k-app" "$state" $((APP_PORT_BASE + k)) "${detail#web"$k": }"
  done
}

cmd_env() {
  local count k hosts=() var
  count="$(host_count)"
  for ((k = 1; k <= count; k++)); do
    hosts+=("web$k=127.0.0.1:$((SSH_PORT_BASE + k))")
  done
  for var in \
    "RUNBOOKS_SSH_USER=$(id -un)" \
    "RUNBOOKS_SSH_KEY=$SSH_DIR/id_ed25519" \
    "RUNBOOKS_SSH_KEY_PASS=$SSH_DIR/id_ed25519_pass" \
    "RUNBOOKS_SSH_PASSPHRASE_FILE=$SSH_DIR/passphrase" \
    "RUNBOOKS_KNOWN_HOSTS=$SSH_DIR/known_hosts" \
    "RUNBOOKS_HOSTS=${hosts[*]}" \
    "RUNBOOKS_HOSTS_DIR=$HOSTS_DIR"; do
    printf 'export %s=%q\n' "${var%%=*}" "${var#*=}"
  done
  for ((k = 1; k <= count; k++)); do
    printf 'export RUNBOOKS_WEB%d_APP_PORT=%d\n' "$k" $((APP_PORT_BASE + k))
  done
}

cmd_release() {
  local host="${1:-}" id="${2:-}"
  [[ "$host" =~ ^web[0-9]+$ && -d "$HOSTS_DIR/$host/app" ]] \
    || die "release: unknown host '$host'; hosts are web1..web$(host_count) (scripts/hosts.sh up first)"
  [[ -n "$id" ]] || die "release: missing release id; usage: scripts/hosts.sh release HOST ID"
  install_release "${host#web}" "$id"
  log "$host: installed release $id in $HOSTS_DIR/$host/app/releases/$id"
}

cmd_sshd_up() {
  local name="$1" port="$2" dir="$3" count
  [[ "$name" =~ ^[a-z][a-z0-9-]*$ && ! "$name" =~ ^web[0-9]+$ ]] \
    || die "sshd up: host name '$name' must be lower-case letters, digits and '-', and not webK"
  if ! [[ "$port" =~ ^[0-9]+$ ]] || ((port < 1024 || port > 65535)); then
    die "sshd up: port '$port' must be a number from 1024 to 65535"
  fi
  [[ "$dir" == /* ]] || die "sshd up: directory '$dir' must be an absolute path"
  count="$(host_count)"
  if ((port > SSH_PORT_BASE && port <= SSH_PORT_BASE + count)); then
    die "sshd up: port $port belongs to web$((port - SSH_PORT_BASE)); choose another one"
  fi
  ensure_state_dir
  ensure_host_tools
  ensure_client_keys
  ensure_sshd_run_dir
  mkdir -p "$HOSTS_DIR" "$dir/run" "$dir/log"
  ensure_host_key "$name" "$dir"
  {
    if [[ -f "$EXTRA_FILE" ]]; then
      awk -v name="$name" '$1 != name' "$EXTRA_FILE"
    fi
    echo "$name $port $dir"
  } >"$EXTRA_FILE.tmp"
  mv -f "$EXTRA_FILE.tmp" "$EXTRA_FILE"
  write_known_hosts "$(host_count)"
  if pid_alive "$dir/run/sshd.pid" "$dir/sshd_config"; then
    log "$name: sshd already running (pid $(head -n 1 "$dir/run/sshd.pid")), left alone"
  fi
  up_sshd "$name" "$dir" "$port"
  wait_until "$name sshd" "$dir/log/sshd.log" "$dir/run/sshd.pid" port_open "$port"
}

cmd_sshd() {
  local action="${1:-}" name="${2:-}" entry
  case "$action" in
    up)
      (($# == 4)) || die "usage: scripts/hosts.sh sshd up NAME PORT DIR"
      cmd_sshd_up "$2" "$3" "$4"
      ;;
    down | status)
      (($# == 2)) || die "usage: scripts/hosts.sh sshd $action NAME"
      entry="$(extra_host "$name")" || die "sshd $action: no host '$name' (scripts/hosts.sh sshd up $name PORT DIR first)"
      if [[ "$action" == down ]]; then
        stop_sshd "$name" "${entry#* }"
      else
        status_line "$name-ssh" "${entry%% *}" "$(pid_note "${entry#* }/run/sshd.pid" "${entry#* }/sshd_config")"
      fi
      ;;
    *) die "usage: scripts/hosts.sh sshd up NAME PORT DIR | sshd down NAME | sshd status NAME" ;;
  esac
}

main() {
  local cmd="${1:-}"
  shift || true
  case "$cmd" in
    up) (($# <= 1)) || die "usage: scripts/hosts.sh up [N]"; cmd_up "$@" ;;
    down) cmd_down ;;
    status) cmd_status ;;
    env) cmd_env ;;
    release) cmd_release "$@" ;;
    sshd) cmd_sshd "$@" ;;
    *) die "usage: scripts/hosts.sh up [N] | down | status | env | release HOST ID | sshd up NAME PORT DIR | sshd down|status NAME (got '${cmd}')" ;;
  esac
}

main "$@"
