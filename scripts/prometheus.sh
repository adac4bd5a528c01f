#!/usr/bin/env bash
# Prometheus of the rollout stack: Debian's /usr/bin/prometheus on 127.0.0.1:19090, scraping every
# second the /metrics of the four demo-app backends of scripts/nginx.sh (job "rollout", label
# upstream = rollout_v1 or rollout_v2, instance = 127.0.0.1:<port> as in nginx's upstreams), so the
# rollout runbook can read p95 latency (histogram_quantile) and error rates from its HTTP API.
# Config, data and log in $STATE/prometheus; scripts/stack.sh calls this for up, down, status and env.
# Usage: scripts/prometheus.sh up | down | status | env
#
# The package's own service (prometheus.service, /etc/prometheus, /var/lib/prometheus, port 9090)
# is not used and not touched: this instance has its own config, storage and port.
set -euo pipefail

SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STATE="${RUNBOOKS_STACK_DIR:-/var/tmp/durable-runbooks}"
READY_TIMEOUT="${RUNBOOKS_STACK_TIMEOUT:-90}"
LOG_NAME=prometheus
# shellcheck source=scripts/stack-lib.sh
source "$SCRIPTS/stack-lib.sh"

PROMETHEUS=/usr/bin/prometheus
PROMTOOL=/usr/bin/promtool
PROM_DIR="$STATE/prometheus"
PROM_CONFIG="$PROM_DIR/prometheus.yml"
PROM_PID_FILE="$PROM_DIR/prometheus.pid"
PROM_LOG="$PROM_DIR/prometheus.log"
PROM_DATA="$PROM_DIR/data"
PROM_PORT=19090
PROM_URL="http://127.0.0.1:$PROM_PORT"
# Two days of test history: some tens of MB at four targets scraped every second.
RETENTION=2d

ensure_tools() {
  local missing=()
  [[ -x "$PROMETHEUS" && -x "$PROMTOOL" ]] || missing+=(prometheus)
  command -v curl >/dev/null || missing+=(curl)
  if ((${#missing[@]})); then
    apt_install "${missing[@]}"
  fi
  [[ -x "$PROMETHEUS" ]] || die "$PROMETHEUS still missing after installing prometheus"
}

# The URLs of one upstream's backends (space-separated) as a YAML list of host:port.
targets() {
  local url quoted=()
  for url in $1; do
    quoted+=("'${url#http://}'")
  done
  local IFS=,
  echo "[${quoted[*]}]"
}

# A subshell: the backends come from scripts/nginx.sh, which owns them, through its env output.
prometheus_config() (
  eval "$("$SCRIPTS/nginx.sh" env)"
  cat <<EOF
# Managed by scripts/prometheus.sh, rewritten on every 'up'.
global:
  # A rollout bakes for seconds in tests: rate() over 30 s needs many samples.
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 15s

scrape_configs:
  - job_name: rollout
    metrics_path: /metrics
    static_configs:
      - targets: $(targets "$RUNBOOKS_ROLLOUT_V1_URLS")
        labels:
          upstream: rollout_v1
      - targets: $(targets "$RUNBOOKS_ROLLOUT_V2_URLS")
        labels:
          upstream: rollout_v2
EOF
)

# Ready, and every target scraped once (up or down): service discovery hands Prometheus its
# targets about 5 s after the start, and a query before that finds no data at all.
prometheus_ready() {
  local answer
  curl -sf "$PROM_URL/-/ready" >/dev/null || return 1
  answer="$(curl -sf "$PROM_URL/api/v1/targets?state=active")" || return 1
  grep -q '"health":"up"\|"health":"down"' <<<"$answer" && ! grep -q '"health":"unknown"' <<<"$answer"
}

# The time of the last successful configuration load, from Prometheus's own /metrics.
last_reload() {
  curl -sf "$PROM_URL/metrics" | awk '$1 == "prometheus_config_last_reload_success_timestamp_seconds" { print $2 }'
}

check_config() {
  local output
  output="$("$PROMTOOL" check config "$1" 2>&1)" || die "promtool rejects $1:
$output"
}

# Applies a changed configuration to the running server (SIGHUP) and waits until it is loaded.
reload_config() {
  local before deadline
  before="$(last_reload)"
  mv "$PROM_CONFIG.new" "$PROM_CONFIG"
  kill -HUP "$(head -n 1 "$PROM_PID_FILE")"
  deadline=$((SECONDS + 10))
  until [[ "$(last_reload)" != "$before" ]]; do
    ((SECONDS < deadline)) || die "configuration changed but not loaded after 10s; see $PROM_LOG
$(tail -n 5 "$PROM_LOG")"
    sleep 0.2
  done
  log "configuration changed, reloaded"
}

cmd_up() {
  ensure_state_dir
  ensure_tools
  mkdir -p "$PROM_DIR" "$PROM_DATA"
  prometheus_config >"$PROM_CONFIG.new"
  check_config "$PROM_CONFIG.new"
  if pid_alive "$PROM_PID_FILE" "$PROM_CONFIG"; then
    if cmp -s "$PROM_CONFIG.new" "$PROM_CONFIG"; then
      rm "$PROM_CONFIG.new"
      log "already running (pid $(head -n 1 "$PROM_PID_FILE")), left alone"
    else
      reload_config
    fi
    return 0
  fi
  mv "$PROM_CONFIG.new" "$PROM_CONFIG"
  port_open "$PROM_PORT" && die "127.0.0.1:$PROM_PORT is taken by a process this script did not start; stop it"
  start_detached "$PROM_PID_FILE" "$PROM_LOG" "$PROMETHEUS" \
    "--config.file=$PROM_CONFIG" \
    "--storage.tsdb.path=$PROM_DATA" \
    "--storage.tsdb.retention.time=$RETENTION" \
    "--web.listen-address=127.0.0.1:$PROM_PORT" \
    "--web.external-url=$PROM_URL/"
  wait_until prometheus "$PROM_LOG" "$PROM_PID_FILE" prometheus_ready
  log "started on 127.0.0.1:$PROM_PORT (pid $(head -n 1 "$PROM_PID_FILE")), data in $PROM_DATA"
}

cmd_down() { stop_pid "127.0.0.1:$PROM_PORT" "$PROM_PID_FILE" "$PROM_CONFIG"; }

# "targets up 4/4", from the targets API.
targets_note() {
  local answer up total
  answer="$(curl -sf "$PROM_URL/api/v1/targets?state=active" 2>/dev/null)" || return 0
  up="$(grep -o '"health":"up"' <<<"$answer" | wc -l)"
  total="$(grep -o '"health":"[a-z]*"' <<<"$answer" | wc -l)"
  echo ", targets up $up/$total"
}

cmd_status() {
  status_line prom "$PROM_PORT" "$(pid_note "$PROM_PID_FILE" "$PROM_CONFIG")$(targets_note)"
}

cmd_env() { printf 'export %s=%q\n' RUNBOOKS_PROMETHEUS_URL "$PROM_URL"; }

run_verb prometheus.sh "$@"
