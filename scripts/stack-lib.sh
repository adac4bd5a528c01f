# shellcheck shell=bash
# Helpers shared by the local stack scripts (stack.sh, hosts.sh). Sourced, not run: the caller sets
# LOG_NAME (the log prefix), STATE (the state directory) and READY_TIMEOUT (seconds) first.

log() { printf '%s: %s\n' "$LOG_NAME" "$*" >&2; }
die() { printf '%s: ERROR: %s\n' "$LOG_NAME" "$*" >&2; exit 1; }

is_root() { [[ "$(id -u)" == 0 ]]; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

APT_UPDATED=false
apt_install() {
  local runner=()
  if ! is_root; then
    if ! command -v sudo >/dev/null || ! sudo -n true 2>/dev/null; then
      die "missing packages: $*. Install them as root: apt-get install -y $*"
    fi
    runner=(sudo -n)
  fi
  command -v apt-get >/dev/null || die "missing packages: $* (and no apt-get here to install them)"
  if [[ "$APT_UPDATED" == false ]]; then
    log "apt-get update"
    "${runner[@]}" env DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1 apt-get update -q >/dev/null
    APT_UPDATED=true
  fi
  log "apt-get install -y $*"
  "${runner[@]}" env DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1 apt-get install -y -q "$@" >/dev/null
}

random_hex() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# Writes a random secret once; later runs keep it so existing data stays reachable.
ensure_secret() {
  local file="$1" bytes="$2"
  if [[ ! -s "$file" ]]; then
    (umask 077 && random_hex "$bytes" >"$file")
  fi
  chmod 600 "$file"
}

# Polls a check command until it succeeds, the started process dies (pid file given) or
# READY_TIMEOUT passes.
wait_until() {
  local what="$1" logfile="$2" pidfile="$3"
  shift 3
  local deadline=$((SECONDS + READY_TIMEOUT))
  until "$@" >/dev/null 2>&1; do
    if [[ -n "$pidfile" ]] && ! process_running "$(head -n 1 "$pidfile")"; then
      die "$what exited during start-up; see $logfile (last lines below)
$(tail -n 20 "$logfile" 2>/dev/null)"
    fi
    if ((SECONDS >= deadline)); then
      die "$what not ready after ${READY_TIMEOUT}s; see $logfile (last lines below)
$(tail -n 20 "$logfile" 2>/dev/null)"
    fi
    sleep 0.5
  done
}

# True when the pid file names a live process whose command line contains the marker, so a
# recycled pid is never mistaken for ours.
pid_alive() {
  local pidfile="$1" marker="$2" pid cmdline
  [[ -s "$pidfile" ]] || return 1
  pid="$(head -n 1 "$pidfile")"
  cmdline="$({ tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null)" || return 1
  [[ "$cmdline" == *"$marker"* ]]
}

# A zombie counts as gone: where PID 1 does not reap orphans, kill -0 would succeed forever.
process_running() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  [[ "${stat:0:1}" != Z ]]
}

start_detached() {
  local pidfile="$1" logfile="$2"
  shift 2
  setsid nohup "$@" >"$logfile" 2>&1 </dev/null &
  echo $! >"$pidfile"
}

stop_pid() {
  local name="$1" pidfile="$2" marker="$3" pid
  if ! pid_alive "$pidfile" "$marker"; then
    rm -f "$pidfile"
    log "$name: not running (no live pid in $pidfile)"
    return 0
  fi
  pid="$(head -n 1 "$pidfile")"
  kill "$pid"
  local deadline=$((SECONDS + 30))
  while process_running "$pid"; do
    if ((SECONDS >= deadline)); then
      log "$name: pid $pid ignored SIGTERM for 30s, sending SIGKILL"
      kill -9 "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.2
  done
  rm -f "$pidfile"
  log "$name: stopped (pid $pid)"
}

ensure_state_dir() {
  mkdir -p "$STATE"
  [[ -w "$STATE" && -O "$STATE" ]] \
    || die "$STATE belongs to another user; run as its owner or set RUNBOOKS_STACK_DIR to a directory of your own"
  # The postgres OS user must be able to traverse into its data and socket directories.
  chmod 755 "$STATE"
}

status_line() {
  local name="$1" port="$2" detail="$3"
  if port_open "$port"; then
    printf '%-9s up    127.0.0.1:%-5s %s\n' "$name" "$port" "$detail"
  else
    printf '%-9s down  127.0.0.1:%-5s\n' "$name" "$port"
  fi
}

pid_note() {
  if pid_alive "$1" "$2"; then echo "pid $(head -n 1 "$1")"; else echo "(not started by this script)"; fi
}

# The command line of a stack component script: one of up, down, status, env, run by its
# cmd_<verb> function.
run_verb() {
  local usage="usage: scripts/$1 up | down | status | env"
  shift
  local cmd="${1:-}"
  shift || true
  (($# == 0)) || die "$usage (no arguments after '$cmd')"
  case "$cmd" in
    up | down | status | env) "cmd_$cmd" ;;
    *) die "$usage (got '${cmd}')" ;;
  esac
}
