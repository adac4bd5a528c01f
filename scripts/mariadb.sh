#!/usr/bin/env bash
# MariaDB of the local stack: Debian's mariadb-server, our own instance on 127.0.0.1:13306 with its
# data, socket, config and log in $STATE/mariadb, a root account for 127.0.0.1 whose password is the
# random secret $STATE/mariadb-password, and a small sample database `shop`. The source database of
# the migrate-data and cutover runbooks.
# scripts/stack.sh calls this for up, down, status and env.
# Usage: scripts/mariadb.sh up | down | status | env
#
# The package's own service (/var/lib/mysql, port 3306) is not used and not touched. No TLS: the
# JDBC URLs carry sslMode=disable (mariadb-java-client 4.x asks for TLS by default).
set -euo pipefail

SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STATE="${RUNBOOKS_STACK_DIR:-/var/tmp/durable-runbooks}"
READY_TIMEOUT="${RUNBOOKS_STACK_TIMEOUT:-90}"
LOG_NAME=mariadb
# shellcheck source=scripts/stack-lib.sh
source "$SCRIPTS/stack-lib.sh"

MARIADBD=/usr/sbin/mariadbd
MY_DIR="$STATE/mariadb"
MY_DATA="$MY_DIR/data"
MY_CONFIG="$MY_DIR/my.cnf"
MY_SOCKET="$MY_DIR/mariadb.sock"
MY_PID_FILE="$STATE/mariadb.pid"
MY_LOG="$MY_DIR/mariadb.log"
MY_PASSWORD_FILE="$STATE/mariadb-password"
MY_PORT=13306

ensure_tools() {
  if [[ ! -x "$MARIADBD" ]] || ! command -v mariadb >/dev/null || ! command -v mariadb-install-db >/dev/null; then
    apt_install mariadb-server mariadb-client
  fi
  [[ -x "$MARIADBD" ]] || die "$MARIADBD still missing after installing mariadb-server"
  # The package starts its own server where an init system runs; ours never uses it.
}

owner() { if is_root; then echo mysql; else id -un; fi; }

write_config() {
  cat >"$MY_CONFIG" <<EOF
# Managed by scripts/mariadb.sh, rewritten on every 'up'.
[mariadbd]
datadir = $MY_DATA
port = $MY_PORT
bind-address = 127.0.0.1
socket = $MY_SOCKET
pid-file = $MY_DIR/mariadbd.pid
log-error = $MY_LOG
skip-name-resolve
character-set-server = utf8mb4
collation-server = utf8mb4_general_ci
# Enough for the tests and the few-million-row benchmark on a shared 2-core machine.
innodb_buffer_pool_size = 1G
innodb_log_file_size = 256M
innodb_flush_log_at_trx_commit = 2
max_connections = 200
# Binary log on, as on a production source: the cutover checks it and the delta sync may use it.
log-bin = $MY_DIR/binlog/mariadb-bin
server-id = 1
binlog_format = ROW
expire_logs_days = 2
EOF
}

# Runs a client command as root over the socket (no password needed there before it is set).
sock_sql() { mariadb --no-defaults --protocol=socket -S "$MY_SOCKET" -uroot --default-character-set=utf8mb4 "$@"; }
tcp_ready() {
  MYSQL_PWD="$(cat "$MY_PASSWORD_FILE")" mariadb --no-defaults -h127.0.0.1 -P"$MY_PORT" -uroot \
    --skip-ssl -e 'SELECT 1' >/dev/null 2>&1
}
socket_ready() { sock_sql -e 'SELECT 1' >/dev/null 2>&1; }

init_data() {
  mkdir -p "$MY_DATA" "$MY_DIR/binlog"
  chmod 700 "$MY_DIR"
  if is_root; then chown -R mysql: "$MY_DIR"; fi
  if [[ -d "$MY_DATA/mysql" ]]; then
    return 0
  fi
  log "mariadb-install-db in $MY_DATA (owner $(owner))"
  mariadb-install-db --no-defaults --datadir="$MY_DATA" --user="$(owner)" \
    --auth-root-authentication-method=socket --skip-test-db >"$MY_DIR/install-db.log" 2>&1 \
    || die "mariadb-install-db failed; see $MY_DIR/install-db.log"
}

# root@127.0.0.1 with the secret password; the socket's root keeps unix_socket authentication.
ensure_root_account() {
  local password
  password="$(cat "$MY_PASSWORD_FILE")"
  sock_sql <<EOF
CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '$password';
ALTER USER 'root'@'127.0.0.1' IDENTIFIED BY '$password';
GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
EOF
}

# The sample source of runbooks/local-migrate.yaml: a small shop, created once; a half-made one (the
# last orders row is written last) is made again.
ensure_sample() {
  if [[ "$(sock_sql -N -e "SELECT COUNT(*) FROM shop.orders WHERE id = 10000" 2>/dev/null)" == 1 ]]; then
    return 0
  fi
  sock_sql <<'SQL'
DROP DATABASE IF EXISTS shop;
CREATE DATABASE shop CHARACTER SET utf8mb4;
USE shop;
CREATE TABLE customers (
  id int unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
  email varchar(190) NOT NULL,
  full_name varchar(120) NOT NULL,
  tier enum('free','pro','enterprise') NOT NULL DEFAULT 'free',
  is_active tinyint(1) NOT NULL DEFAULT 1,
  profile json DEFAULT NULL,
  created_at datetime(6) NOT NULL,
  updated_at timestamp NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp(),
  UNIQUE KEY uq_customers_email (email)
);
CREATE TABLE orders (
  id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
  customer_id int unsigned NOT NULL,
  total decimal(12,2) NOT NULL,
  note varchar(255) DEFAULT NULL,
  placed_at datetime(6) NOT NULL,
  KEY ix_orders_customer (customer_id),
  CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id)
);
INSERT INTO customers (email, full_name, tier, is_active, profile, created_at)
  SELECT CONCAT('c', seq, '@example.com'), CONCAT('Client ', seq, IF(seq % 10 = 0, ' 😀', '')),
         ELT(1 + seq % 3, 'free', 'pro', 'enterprise'), seq % 2,
         JSON_OBJECT('lang', ELT(1 + seq % 2, 'fr', 'en'), 'score', seq / 8),
         '2024-01-01' + INTERVAL seq MINUTE
  FROM seq_1_to_2000;
INSERT INTO orders (customer_id, total, note, placed_at)
  SELECT 1 + seq % 2000, seq / 3, IF(seq % 5 = 0, NULL, CONCAT('order ', seq)), '2024-02-01' + INTERVAL seq MINUTE
  FROM seq_1_to_10000;
SQL
  log "created the sample database shop (customers, orders)"
}

cmd_up() {
  ensure_state_dir
  ensure_tools
  ensure_secret "$MY_PASSWORD_FILE" 24
  if port_open "$MY_PORT"; then
    pid_alive "$MY_PID_FILE" mariadbd \
      || die "127.0.0.1:$MY_PORT is taken by a process this script did not start; stop it"
    tcp_ready || die "running (pid $(head -n 1 "$MY_PID_FILE")) but root@127.0.0.1 cannot log in with $MY_PASSWORD_FILE"
    log "already running (pid $(head -n 1 "$MY_PID_FILE")), left alone"
    return 0
  fi
  init_data
  write_config
  # mariadbd does not fork: the pid start_detached records is the server's.
  start_detached "$MY_PID_FILE" "$MY_DIR/mariadbd.out" \
    "$MARIADBD" --defaults-file="$MY_CONFIG" --user="$(owner)"
  wait_until mariadb "$MY_LOG" "$MY_PID_FILE" socket_ready
  ensure_root_account
  wait_until mariadb "$MY_LOG" "$MY_PID_FILE" tcp_ready
  ensure_sample
  log "started on 127.0.0.1:$MY_PORT (pid $(head -n 1 "$MY_PID_FILE")), data in $MY_DATA"
}

cmd_down() { stop_pid "127.0.0.1:$MY_PORT" "$MY_PID_FILE" mariadbd; }

cmd_status() { status_line mariadb "$MY_PORT" "$(pid_note "$MY_PID_FILE" mariadbd)"; }

cmd_env() {
  local var
  for var in \
    RUNBOOKS_MARIADB_HOST=127.0.0.1 \
    "RUNBOOKS_MARIADB_PORT=$MY_PORT" \
    RUNBOOKS_MARIADB_USER=root \
    "RUNBOOKS_MARIADB_PASSWORD_FILE=$MY_PASSWORD_FILE" \
    "RUNBOOKS_MARIADB_JDBC_URL=jdbc:mariadb://127.0.0.1:$MY_PORT/?sslMode=disable"; do
    printf 'export %s=%q\n' "${var%%=*}" "${var#*=}"
  done
}

run_verb mariadb.sh "$@"
