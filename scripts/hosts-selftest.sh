#!/usr/bin/env bash
# Self-test of the local SSH hosts (scripts/hosts.sh), not part of CI: brings the hosts up, checks the
# demo application's routes, switches web1 from v1 to v2 and back while curl loops hammer it (every
# answer must be 200 from v1 or v2, never an error), checks that a failing release is refused by
# `service reload` while the old one keeps serving, and that SSH logs in with both client keys under
# strict host key checking but refuses a host whose key does not match known_hosts.
# Usage: scripts/hosts-selftest.sh (needs the stack's PostgreSQL: scripts/stack.sh up)
set -euo pipefail

cd "$(dirname "$0")/.."
HAMMER_LOOPS=4

scripts/hosts.sh up >/dev/null
eval "$(scripts/hosts.sh env)"
HOST="$RUNBOOKS_HOSTS_DIR/web1"
APP="$HOST/app"
URL="http://127.0.0.1:$RUNBOOKS_WEB1_APP_PORT"
WORK="$(mktemp -d)"

# shellcheck source=scripts/selftest-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/selftest-lib.sh"

switch_to() {
  ln -sfn "releases/$1" "$APP/current.tmp"
  mv -T "$APP/current.tmp" "$APP/current"
}

cleanup() {
  if [[ "$(readlink "$APP/current")" != releases/v1 ]]; then
    switch_to v1
    "$HOST/bin/service" reload >/dev/null || true
  fi
  rm -rf "$WORK" "$APP/releases/v2" "$APP/releases/v2-slow" "$APP/releases/v3-unhealthy" "$APP/releases/v4-broken"
}
trap cleanup EXIT

# One line a request until the stop file appears: "<http code> <body>" or "ERR <curl error>".
hammer() {
  local out
  until [[ -e "$WORK/stop" ]]; do
    # The body ends with a newline, so the code written after it is the last line.
    if out="$(curl -sS --max-time 10 -w '%{http_code}' "$URL/health" 2>&1)"; then
      printf '%s %s\n' "${out##*$'\n'}" "${out%$'\n'*}"
    else
      printf 'ERR %s\n' "${out//$'\n'/ }"
    fi
  done
}

# Runs a command while HAMMER_LOOPS curl loops hit web1; its exit status goes to $WORK/status and
# every answer to $WORK/answers.
under_load() {
  local pids=() i
  rm -f "$WORK/stop" "$WORK"/hammer.*
  for ((i = 0; i < HAMMER_LOOPS; i++)); do
    hammer >"$WORK/hammer.$i" &
    pids+=($!)
  done
  sleep 1
  local status=0
  "$@" >"$WORK/command.out" 2>&1 || status=$?
  echo "$status" >"$WORK/status"
  sleep 1
  touch "$WORK/stop"
  wait "${pids[@]}"
  cat "$WORK"/hammer.* >"$WORK/answers"
}

# Counts the answers from a version, e.g. `answers_from v2`.
answers_from() { grep -c "^200 {\"status\": \"ok\", \"version\": \"$1\"" "$WORK/answers" || true; }

# Every answer was a 200 from one of the given versions.
only_versions() {
  local pattern
  pattern="$(IFS='|' && echo "$*")"
  local bad
  bad="$(grep -Evc "^200 \\{\"status\": \"ok\", \"version\": \"($pattern)\"" "$WORK/answers" || true)"
  if ((bad > 0)); then
    echo "  unexpected answers ($bad of $(wc -l <"$WORK/answers")), first ones:"
    grep -Ev "^200 \\{\"status\": \"ok\", \"version\": \"($pattern)\"" "$WORK/answers" | head -n 5 | sed 's/^/  | /'
    return 1
  fi
}

reload() { "$HOST/bin/service" reload; }
switch_and_reload() { switch_to "$1" && reload; }

# Every one of 20 requests in a row answers from the given version.
all_from() {
  local i
  for ((i = 0; i < 20; i++)); do
    curl -fsS "$URL/health" | grep -q "\"version\": \"$1\"" || return 1
  done
}

# Reloads back and forth between a slow release and v2: each reload has slow requests in flight in
# the worker it retires, which must finish them.
reload_cycles() {
  local i
  for ((i = 0; i < 3; i++)); do
    switch_and_reload v2-slow || return 1
    sleep 0.5
    switch_and_reload v2 || return 1
  done
}

# Switches to a release that must not go live and back to v2; succeeds when the reload failed.
refused_release() {
  local status=0
  switch_to "$1"
  reload || status=$?
  switch_to v2
  ((status != 0))
}

ssh_to() {
  local port="$1" known_hosts="$2"
  shift 2
  ssh -p "$port" -o UserKnownHostsFile="$known_hosts" -o GlobalKnownHostsFile=/dev/null \
    -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes -o ConnectTimeout=5 \
    -o PasswordAuthentication=no -o KbdInteractiveAuthentication=no "$@"
}

# Switches web1 from one release to the other while it is hammered, and checks every answer.
switch_under_load() {
  local from="$1" to="$2"
  echo "== web1: switch $from -> $to and reload, under load"
  under_load switch_and_reload "$to"
  sed 's/^/  | /' "$WORK/command.out"
  check "service reload exits 0" test "$(cat "$WORK/status")" = 0
  check "$(wc -l <"$WORK/answers") answers, all 200 from $from or $to ($(answers_from "$from") $from, $(answers_from "$to") $to)" \
    only_versions "$from" "$to"
  check "at least one answer from $to" test "$(answers_from "$to")" -gt 0
  check "after the reload returned, only $to answers" all_from "$to"
}

echo "== routes of web1 ($URL)"
check "GET /health answers 200 from v1" grep -q '"version": "v1"' <(curl -fsS "$URL/health")
check "GET / shows the version" grep -q '<strong id="version">v1</strong>' <(curl -fsS "$URL/")
check "GET /static/app.css loads" grep -q 'font-family' <(curl -fsS "$URL/static/app.css")
check "GET /api/db reaches PostgreSQL" grep -q '"status": "ok"' <(curl -fsS "$URL/api/db")
check "GET /api/items reads rows" grep -q '"name": "anvil"' <(curl -fsS "$URL/api/items")
check "service status exits 0 when healthy" "$HOST/bin/service" status

scripts/hosts.sh release web1 v2 2>/dev/null
switch_under_load v1 v2

echo "== web1: 6 reloads between v2 and v2-slow (every request 300 ms), under load"
scripts/hosts.sh release web1 v2-slow 2>/dev/null
echo 300 >"$APP/releases/v2-slow/SLOW_MS"
under_load reload_cycles
check "every reload exits 0" test "$(cat "$WORK/status")" = 0
check "$(wc -l <"$WORK/answers") answers, all 200 from v2 or v2-slow ($(answers_from v2-slow) v2-slow)" \
  only_versions v2 v2-slow
check "slow requests were in flight in the retired workers" test "$(answers_from v2-slow)" -gt 0

echo "== web1: releases that must not go live, under load"
scripts/hosts.sh release web1 v3-unhealthy 2>/dev/null
touch "$APP/releases/v3-unhealthy/FAIL_HEALTH"
scripts/hosts.sh release web1 v4-broken 2>/dev/null
echo 'def broken(:' >>"$APP/releases/v4-broken/app.py"
under_load refused_release v3-unhealthy
sed 's/^/  | /' "$WORK/command.out"
check "service reload refuses a release with FAIL_HEALTH (exits non-zero)" test "$(cat "$WORK/status")" = 0
check "$(wc -l <"$WORK/answers") answers meanwhile, all 200 from v2" only_versions v2
under_load refused_release v4-broken
sed 's/^/  | /' "$WORK/command.out" | tail -n 4
check "service reload refuses a release with a syntax error (exits non-zero)" test "$(cat "$WORK/status")" = 0
check "$(wc -l <"$WORK/answers") answers meanwhile, all 200 from v2" only_versions v2
check "service status still healthy on v2" grep -q 'healthy.*version v2' <("$HOST/bin/service" status)

echo "== SSH"
check "web1 over SSH (key, strict known_hosts): current/VERSION is v2" \
  test "$(ssh_to 12201 "$RUNBOOKS_KNOWN_HOSTS" -o BatchMode=yes -i "$RUNBOOKS_SSH_KEY" \
    "$RUNBOOKS_SSH_USER@127.0.0.1" cat "$APP/current/VERSION")" = v2
printf '#!/bin/sh\ncat "%s"\n' "$RUNBOOKS_SSH_PASSPHRASE_FILE" >"$WORK/askpass"
chmod 700 "$WORK/askpass"
check "web1 over SSH with the passphrase key" \
  test "$(SSH_ASKPASS="$WORK/askpass" SSH_ASKPASS_REQUIRE=force ssh_to 12201 "$RUNBOOKS_KNOWN_HOSTS" \
    -i "$RUNBOOKS_SSH_KEY_PASS" "$RUNBOOKS_SSH_USER@127.0.0.1" echo logged-in </dev/null)" = logged-in
for entry in $RUNBOOKS_HOSTS; do
  name="${entry%%=*}"
  # shellcheck disable=SC2016 # expanded by the remote shell
  check "$name over SSH is its own host (RUNBOOKS_LOCAL_HOST=$name)" \
    test "$(ssh_to "${entry##*:}" "$RUNBOOKS_KNOWN_HOSTS" -o BatchMode=yes -i "$RUNBOOKS_SSH_KEY" \
      "$RUNBOOKS_SSH_USER@127.0.0.1" 'echo "$RUNBOOKS_LOCAL_HOST"')" = "$name"
done
# web2's key under web1's address: what a changed host key looks like.
printf '[127.0.0.1]:12201 %s\n' "$(cut -d ' ' -f 1,2 "$RUNBOOKS_HOSTS_DIR/web2/ssh_host_ed25519_key.pub")" \
  >"$WORK/wrong_known_hosts"
check "a host key that does not match known_hosts is refused" grep -q 'Host key verification failed' \
  <(ssh_to 12201 "$WORK/wrong_known_hosts" -o BatchMode=yes -i "$RUNBOOKS_SSH_KEY" \
    "$RUNBOOKS_SSH_USER@127.0.0.1" true 2>&1)
: >"$WORK/empty_known_hosts"
check "a host missing from known_hosts is refused" grep -q 'Host key verification failed' \
  <(ssh_to 12201 "$WORK/empty_known_hosts" -o BatchMode=yes -i "$RUNBOOKS_SSH_KEY" \
    "$RUNBOOKS_SSH_USER@127.0.0.1" true 2>&1)
check "password login is refused" grep -q 'Permission denied (publickey)' \
  <(ssh_to 12201 "$RUNBOOKS_KNOWN_HOSTS" -o BatchMode=yes -o PubkeyAuthentication=no \
    "$RUNBOOKS_SSH_USER@127.0.0.1" true 2>&1)

switch_under_load v2 v1

if ((FAILURES)); then
  echo "hosts self-test: $FAILURES check(s) FAILED"
  exit 1
fi
echo "hosts self-test: all checks passed"
