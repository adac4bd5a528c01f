#!/usr/bin/env bash
# The cutover's local application: host store1 (sshd on 127.0.0.1:12230, files in $STATE/store1)
# running demo-app/ on 127.0.0.1:18130 against MariaDB's database `store`, logged in as the
# unprivileged account store_app (read_only stops it); and its PostgreSQL target `store`, empty
# until migrate-data copies into it, where store_app gets the same rights on what is copied.
# scripts/stack.sh calls this for up, down, status and env.
# Usage: scripts/store.sh up | down | status | env | reset
#   reset   back to before any cutover, for tests and the demo: MariaDB writable, the store
#           database reseeded, PostgreSQL's store dropped and recreated empty, app.env on MariaDB
#
# app.env is written only when missing: it is the file a cutover edits, and an 'up' must never
# take the application back to MySQL behind the runbook's back.
set -euo pipefail

SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DEMO_APP="$(dirname "$SCRIPTS")/demo-app"
STATE="${RUNBOOKS_STACK_DIR:-/var/tmp/durable-runbooks}"
READY_TIMEOUT="${RUNBOOKS_STACK_TIMEOUT:-90}"
LOG_NAME=store
# shellcheck source=scripts/stack-lib.sh
source "$SCRIPTS/stack-lib.sh"

NAME=store1
DIR="$STATE/$NAME"
SSH_PORT=12230
APP_PORT=18130
PG_PORT=15432
MY_PORT=13306
DB=store
APP_USER=store_app
APP_PASSWORD_FILE="$STATE/store-app-password"
ENV_FILE="$DIR/app/shared/app.env"
MYSQL_URL="mysql://$APP_USER@127.0.0.1:$MY_PORT/$DB"
PG_URL="postgresql://$APP_USER@127.0.0.1:$PG_PORT/$DB"

my_sql() {
  MYSQL_PWD="$(cat "$STATE/mariadb-password")" mariadb --protocol=tcp -h 127.0.0.1 -P "$MY_PORT" -u root -N -B "$@"
}

pg_sql() {
  PGPASSWORD="$(cat "$STATE/pg-password")" PGOPTIONS='-c client_min_messages=warning' \
    psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres "$@"
}

# The source: a small catalogue with an updated_at the delta sync follows, created once.
ensure_mariadb_store() {
  local password
  password="$(cat "$APP_PASSWORD_FILE")"
  my_sql <<SQL
CREATE DATABASE IF NOT EXISTS $DB CHARACTER SET utf8mb4;
CREATE TABLE IF NOT EXISTS $DB.items (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(120) NOT NULL,
  price DECIMAL(10,2) NOT NULL DEFAULT 0,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  KEY items_updated_at (updated_at)
) ENGINE=InnoDB;
INSERT INTO $DB.items (name, price)
  SELECT v.name, v.price FROM (SELECT 'anvil' AS name, 49.90 AS price UNION ALL SELECT 'rope', 7.50
    UNION ALL SELECT 'lantern', 19.00 UNION ALL SELECT 'compass', 24.95 UNION ALL SELECT 'tent', 129.00) v
  WHERE NOT EXISTS (SELECT 1 FROM $DB.items);
CREATE USER IF NOT EXISTS '$APP_USER'@'127.0.0.1' IDENTIFIED BY '$password';
ALTER USER '$APP_USER'@'127.0.0.1' IDENTIFIED BY '$password';
GRANT SELECT, INSERT, UPDATE, DELETE ON $DB.* TO '$APP_USER'@'127.0.0.1';
SQL
}

# The target: an empty database whose future tables (created by migrate-data as postgres) the
# application's account may read and write.
ensure_pg_store() {
  local password
  password="$(cat "$APP_PASSWORD_FILE")"
  if [[ "$(pg_sql -d postgres -c "select 1 from pg_roles where rolname = '$APP_USER'")" != 1 ]]; then
    pg_sql -d postgres -c "create role $APP_USER login"
  fi
  pg_sql -d postgres -c "alter role $APP_USER password '$password'"
  if [[ "$(pg_sql -d postgres -c "select 1 from pg_database where datname = '$DB'")" != 1 ]]; then
    pg_sql -d postgres -c "create database $DB"
    log "postgres: created the empty database $DB"
  fi
  pg_sql -d "$DB" <<SQL
grant connect on database $DB to $APP_USER;
grant usage on schema public to $APP_USER;
grant select, insert, update, delete on all tables in schema public to $APP_USER;
grant usage, select on all sequences in schema public to $APP_USER;
alter default privileges for role postgres in schema public grant select, insert, update, delete on tables to $APP_USER;
alter default privileges for role postgres in schema public grant usage, select on sequences to $APP_USER;
SQL
}

write_env_file() {
  cat >"$ENV_FILE.tmp" <<EOF
# The settings of the demo application on $NAME (scripts/store.sh). A cutover switches DATABASE_URL.
PORT=$APP_PORT
APP_NAME=store
APP_HOST=$NAME
DATABASE_URL=$MYSQL_URL
DB_PASSWORD_FILE=$APP_PASSWORD_FILE
EOF
  mv -f "$ENV_FILE.tmp" "$ENV_FILE"
}

# demo-app/ as the host's release `current`, refreshed (and the service reloaded) when it changed.
ensure_release() {
  local release="$DIR/app/releases/current-demo" digest served=""
  digest="$(cd "$DEMO_APP" && find . -name __pycache__ -prune -o -type f -print0 | LC_ALL=C sort -z \
    | xargs -0 sha256sum | sha256sum | cut -d ' ' -f 1)"
  [[ -f "$DIR/run/demo-app.sha256" ]] && served="$(cat "$DIR/run/demo-app.sha256")"
  if [[ "$served" != "$digest" || ! -d "$release" ]]; then
    rm -rf "$release.tmp"
    cp -R "$DEMO_APP" "$release.tmp"
    find "$release.tmp" -name __pycache__ -prune -exec rm -rf {} +
    echo store >"$release.tmp/VERSION"
    rm -rf "$release"
    mv "$release.tmp" "$release"
    ln -sfn releases/current-demo "$DIR/app/current"
  fi
  echo "$digest" >"$DIR/run/demo-app.sha256.next"
}

cmd_up() {
  ensure_state_dir
  [[ -s "$STATE/mariadb-password" && -s "$STATE/pg-password" ]] || die "MariaDB and PostgreSQL first: scripts/stack.sh up"
  ensure_secret "$APP_PASSWORD_FILE" 24
  ensure_mariadb_store
  ensure_pg_store
  mkdir -p "$DIR/bin" "$DIR/run" "$DIR/log" "$DIR/app/releases" "$DIR/app/shared"
  install -m 755 "$SCRIPTS/demo-host/service" "$DIR/bin/service"
  [[ -f "$ENV_FILE" ]] || write_env_file
  "$SCRIPTS/hosts.sh" sshd up "$NAME" "$SSH_PORT" "$DIR"
  ensure_release
  local status=0
  "$DIR/bin/service" status >/dev/null 2>&1 || status=$?
  if ((status == 3)); then
    port_open "$APP_PORT" && die "127.0.0.1:$APP_PORT is taken by a process this script did not start; stop it"
    "$DIR/bin/service" start | sed "s/^/$LOG_NAME: /" >&2
  elif ! cmp -s "$DIR/run/demo-app.sha256.next" "$DIR/run/demo-app.sha256" 2>/dev/null; then
    "$DIR/bin/service" reload | sed "s/^/$LOG_NAME: /" >&2
  fi
  mv -f "$DIR/run/demo-app.sha256.next" "$DIR/run/demo-app.sha256"
  cmd_status
}

cmd_reset() {
  [[ -d "$DIR" ]] || die "reset: $NAME is not set up: scripts/stack.sh up first"
  my_sql -e "SET GLOBAL read_only = OFF; DROP DATABASE IF EXISTS $DB"
  pg_sql -d postgres -c "select pg_terminate_backend(pid) from pg_stat_activity where datname = '$DB' and pid <> pg_backend_pid()" >/dev/null
  pg_sql -d postgres -c "drop database if exists $DB"
  write_env_file
  rm -f "$ENV_FILE.before-cutover"
  ensure_mariadb_store
  ensure_pg_store
  "$DIR/bin/service" reload | sed "s/^/$LOG_NAME: /" >&2
  log "reset: $NAME serves from MariaDB $DB again; PostgreSQL's $DB is empty"
}

cmd_down() {
  if [[ -x "$DIR/bin/service" ]]; then
    "$DIR/bin/service" stop | sed "s/^/$LOG_NAME: /" >&2
  fi
  if [[ -f "$DIR/sshd_config" ]]; then
    "$SCRIPTS/hosts.sh" sshd down "$NAME"
  fi
}

cmd_status() {
  if [[ -f "$DIR/sshd_config" ]]; then
    "$SCRIPTS/hosts.sh" sshd status "$NAME"
  else
    status_line "$NAME-ssh" "$SSH_PORT" "not set up"
  fi
  local state=up detail
  if [[ -x "$DIR/bin/service" ]]; then
    detail="$("$DIR/bin/service" status 2>&1)" || { [[ $? == 3 ]] && state=down || state=fail; }
  else
    state=down detail="not set up"
  fi
  printf '%-9s %-5s 127.0.0.1:%-5s %s\n' "$NAME-app" "$state" "$APP_PORT" "${detail#"$NAME": }"
}

cmd_env() {
  local var
  for var in \
    "RUNBOOKS_STORE_HOST=$NAME" \
    "RUNBOOKS_STORE_SSH_PORT=$SSH_PORT" \
    "RUNBOOKS_STORE_DIR=$DIR" \
    "RUNBOOKS_STORE_ENV_FILE=$ENV_FILE" \
    "RUNBOOKS_STORE_URL=http://127.0.0.1:$APP_PORT" \
    "RUNBOOKS_STORE_MYSQL_URL=$MYSQL_URL" \
    "RUNBOOKS_STORE_PG_URL=$PG_URL" \
    "RUNBOOKS_STORE_APP_PASSWORD_FILE=$APP_PASSWORD_FILE"; do
    printf 'export %s=%q\n' "${var%%=*}" "${var#*=}"
  done
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  env) cmd_env ;;
  reset) cmd_reset ;;
  *) die "usage: scripts/store.sh up | down | status | env | reset (got '${1:-}')" ;;
esac
