#!/usr/bin/env bash
# Runs the worker (the Spring Boot jar) in the background against the local stack.
# Usage: scripts/worker.sh start|stop|status. Builds the jars first when they are missing.
# Environment: RUNBOOKS_TASK_QUEUE (default runbooks), WORKER_PORT (default 8081).
set -euo pipefail

cd "$(dirname "$0")/.."
STATE="${RUNBOOKS_STACK_DIR:-/var/tmp/durable-runbooks}"
PORT="${WORKER_PORT:-8081}"
PIDFILE="$STATE/worker-$PORT.pid"
LOG="$STATE/worker-$PORT.log"

die() { echo "worker.sh: $*" >&2; exit 1; }

healthy() { curl -fsS "http://127.0.0.1:$PORT/actuator/health" 2>/dev/null | grep -q '"status":"UP"'; }

running() { [[ -f "$PIDFILE" ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

build() {
  if ! compgen -G "worker/target/worker-*-exec.jar" >/dev/null || [[ ! -f starter-cli/target/runbook-all.jar ]]; then
    echo "building the worker and the CLI (mvn -DskipTests install)"
    mvn -B -q -DskipTests install
  fi
}

start() {
  if running && healthy; then
    echo "worker: already running (pid $(cat "$PIDFILE"), http://127.0.0.1:$PORT/actuator/health)"
    return 0
  fi
  build
  mkdir -p "$STATE"
  local jar
  jar="$(compgen -G "worker/target/worker-*-exec.jar" | head -n 1)"
  SERVER_PORT="$PORT" MANAGEMENT_SERVER_PORT="$PORT" setsid nohup java -jar "$jar" >"$LOG" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  for _ in $(seq 1 120); do
    if healthy; then
      echo "worker: up (pid $(cat "$PIDFILE"), log $LOG, metrics http://127.0.0.1:$PORT/actuator/prometheus)"
      return 0
    fi
    running || die "the worker exited during start-up; see $LOG: $(tail -n 5 "$LOG")"
    sleep 0.5
  done
  die "the worker was not healthy within 60 s; see $LOG"
}

stop() {
  if ! running; then
    echo "worker: not running"
    rm -f "$PIDFILE"
    return 0
  fi
  kill "$(cat "$PIDFILE")"
  for _ in $(seq 1 80); do
    running || { rm -f "$PIDFILE"; echo "worker: stopped"; return 0; }
    sleep 0.5
  done
  kill -9 "$(cat "$PIDFILE")" 2>/dev/null || true
  rm -f "$PIDFILE"
  echo "worker: killed after 40 s"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if running && healthy; then echo "worker: up (pid $(cat "$PIDFILE"))"; else echo "worker: down"; fi ;;
  *) die "usage: scripts/worker.sh start|stop|status" ;;
esac
