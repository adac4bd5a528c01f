#!/usr/bin/env bash
# Self-test of the rollout stack (scripts/nginx.sh), not part of CI: brings it up twice (the second
# 'up' leaves everything alone), sends all traffic to V1, shifts 50 % to V2 with `nginx-ctl test`
# and `reload` while curl loops hammer nginx (every answer must be a 200), checks the split and that
# the X-Rollout-Backend header matches the version in the body, reloads under a client that reuses
# connections (none may fail: nginx answers "Connection: close"), makes V2 slow (SLOW_MS) and failing
# (FAIL_ROUTES), rolls back to V1 while slow V2 requests are in flight, checks that a broken split
# is refused by `nginx-ctl test` and `reload` while nginx keeps serving, and drives a split change
# over SSH on lb1, the way the rollout runbook does. Leaves the split at 100 % V1, no test files.
# Usage: scripts/nginx-selftest.sh (needs the stack's PostgreSQL and SSH keys: scripts/stack.sh up)
set -euo pipefail

cd "$(dirname "$0")/.."
HAMMER_LOOPS=4
SAMPLE=400
WORK="$(mktemp -d)"

scripts/nginx.sh up >/dev/null 2>"$WORK/up1.err"
eval "$(scripts/hosts.sh env)"
eval "$(scripts/nginx.sh env)"
CTL="$RUNBOOKS_NGINX_CTL"
SPLIT="$RUNBOOKS_NGINX_SPLIT_FILE"
URL="$RUNBOOKS_NGINX_URL/api/version"
read -r -a V2_DIRS <<<"$RUNBOOKS_ROLLOUT_V2_DIRS"

# shellcheck source=scripts/selftest-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/selftest-lib.sh"

all_v1() { write_split '* rollout_v1;'; }

cleanup() {
  touch "$WORK/stop"
  wait
  clear_v2_files
  if ! grep -q '^    \* rollout_v1;$' "$SPLIT" || grep -q '%' "$SPLIT"; then
    all_v1
    "$CTL" reload >/dev/null || echo "cleanup: nginx-ctl reload failed; see $RUNBOOKS_NGINX_DIR/logs/error.log"
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# One request through nginx; prints "<code> <X-Rollout-Backend> <version> <host> <seconds>", the
# version and host from the JSON body, or "ERR - - - - <curl error>".
probe() {
  local out status body version=- host=-
  if ! out="$(curl -sS --max-time 10 -w '\n%{http_code} %header{x-rollout-backend} %{time_total}' "$URL" 2>&1)"; then
    printf 'ERR - - - - %s\n' "${out//$'\n'/ }"
    return 0
  fi
  status="${out##*$'\n'}"
  body="${out%$'\n'*}"
  [[ "$body" =~ \"version\":\ \"([^\"]+)\" ]] && version="${BASH_REMATCH[1]}"
  [[ "$body" =~ \"host\":\ \"([^\"]+)\" ]] && host="${BASH_REMATCH[1]}"
  read -r code backend seconds <<<"$status"
  printf '%s %s %s %s %s\n' "$code" "${backend:--}" "$version" "$host" "$seconds"
}

sample() {
  local n="$1" i
  for ((i = 0; i < n; i++)); do
    probe
  done >"$WORK/answers"
}

hammer() {
  until [[ -e "$WORK/stop" ]]; do
    probe
  done
}

# Runs a command while HAMMER_LOOPS curl loops go through nginx; its exit status goes to
# $WORK/status, its output to $WORK/command.out and every answer to $WORK/answers.
under_load() {
  local pids=() i status=0
  rm -f "$WORK/stop" "$WORK"/hammer.*
  for ((i = 0; i < HAMMER_LOOPS; i++)); do
    hammer >"$WORK/hammer.$i" &
    pids+=($!)
  done
  sleep 1
  "$@" >"$WORK/command.out" 2>&1 || status=$?
  echo "$status" >"$WORK/status"
  sleep 1
  touch "$WORK/stop"
  wait "${pids[@]}"
  cat "$WORK"/hammer.* >"$WORK/answers"
}

total() { wc -l <"$WORK/answers"; }
count() { awk -v f="$1" -v v="$2" '$f == v' "$WORK/answers" | wc -l; }

# Every answer is a 200 whose body version matches its X-Rollout-Backend header.
all_200_consistent() {
  local bad
  bad="$(awk '!($1 == 200 && (($2 == "rollout_v1" && $3 == "v1") || ($2 == "rollout_v2" && $3 == "v2")))' "$WORK/answers")" \
    || return 1
  if [[ -n "$bad" ]]; then
    echo "  unexpected answers ($(wc -l <<<"$bad") of $(total)), first ones:"
    head -n 5 <<<"$bad" | sed 's/^/  | /'
    return 1
  fi
}

only_backend() { [[ "$(count 2 "$1")" == "$(total)" ]]; }

# Percentage of answers from rollout_v2 lies within [low, high].
v2_share_within() {
  local low="$1" high="$2" share
  share=$((100 * $(count 2 rollout_v2) / $(total)))
  ((share >= low && share <= high))
}

# Slowest and fastest answer of a backend in ms, e.g. "312 305".
ms_range() {
  awk -v b="$1" '$2 == b { ms = $5 * 1000; if (max == "" || ms > max) max = ms; if (min == "" || ms < min) min = ms }
    END { printf "%d %d\n", max, min }' "$WORK/answers"
}

median_ms() {
  awk -v b="$1" '$2 == b { print $5 * 1000 }' "$WORK/answers" | sort -n \
    | awk '{ v[NR] = $1 } END { printf "%d\n", NR ? v[int((NR + 1) / 2)] : 0 }'
}

split_and_reload() {
  write_split "$@"
  "$CTL" test 2>&1 && "$CTL" reload
}

test_fails() { ! "$CTL" test >/dev/null 2>&1; }
test_passes() { "$CTL" test >/dev/null 2>&1; }

# A client that keeps its connection open as long as nginx lets it (Python's http.client, 4
# threads, reconnecting after "Connection: close"), for some seconds; prints "<answers> <failures>"
# and the first failures.
reusing_client() {
  python3 - "$RUNBOOKS_NGINX_URL" "$1" <<'EOF'
import http.client, sys, threading, time, urllib.parse
url, seconds = urllib.parse.urlsplit(sys.argv[1]), float(sys.argv[2])
answers, failures, lock = [0], [], threading.Lock()
deadline = time.monotonic() + seconds
def run():
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    while time.monotonic() < deadline:
        try:
            connection.request("GET", "/health")
            response = connection.getresponse()
            response.read()
            ok = response.status == 200
            problem = "HTTP %d" % response.status
        except (OSError, http.client.HTTPException) as e:
            ok, problem = False, repr(e)
            connection.close()
        with lock:
            answers[0] += 1
            if not ok:
                failures.append(problem)
threads = [threading.Thread(target=run) for _ in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(answers[0], len(failures))
for problem in failures[:3]:
    print(problem)
EOF
}

reloads() {
  local i
  for ((i = 0; i < $1; i++)); do
    "$CTL" reload >/dev/null || return 1
    sleep 0.2
  done
}

ssh_lb1() {
  ssh -p "$RUNBOOKS_LB_SSH_PORT" -o UserKnownHostsFile="$RUNBOOKS_KNOWN_HOSTS" -o GlobalKnownHostsFile=/dev/null \
    -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes -o BatchMode=yes -o ConnectTimeout=5 \
    -i "$RUNBOOKS_SSH_KEY" "$RUNBOOKS_SSH_USER@127.0.0.1" "$@"
}

echo "== scripts/nginx.sh up, twice"
nginx_pid="$(head -n 1 "$RUNBOOKS_NGINX_DIR/run/nginx.pid")"
scripts/nginx.sh up >"$WORK/up2.out" 2>"$WORK/up2.err"
check "second up: nginx left alone (same pid $nginx_pid)" \
  test "$(head -n 1 "$RUNBOOKS_NGINX_DIR/run/nginx.pid")" = "$nginx_pid"
check "second up: nginx, lb1 sshd and the 4 backends report 'already running'" \
  test "$(grep -c 'already running' "$WORK/up2.err")" = 6
check "status: lb1-ssh, lb1-nginx and 4 healthy backends up" \
  test "$(grep -cE '^(lb1-ssh|lb1-nginx) +up |^v[12][ab]-app +up .*healthy' "$WORK/up2.out")" = 6

echo "== all traffic to V1"
clear_v2_files
all_v1
"$CTL" reload >/dev/null
sample 200
check "$(total) requests through $RUNBOOKS_NGINX_URL: all 200, body version matches X-Rollout-Backend" all_200_consistent
check "all from rollout_v1" only_backend rollout_v1
check "both V1 servers answer (v1a $(count 4 v1a), v1b $(count 4 v1b))" \
  test "$(count 4 v1a)" -gt 0 -a "$(count 4 v1b)" -gt 0

echo "== 50 % to V2: nginx-ctl test and reload, under load"
under_load split_and_reload '50% rollout_v2;' '* rollout_v1;'
sed 's/^/  | /' "$WORK/command.out"
check "nginx-ctl test and reload exit 0" test "$(cat "$WORK/status")" = 0
check "$(total) answers during the reload: all 200, body version matches the header" all_200_consistent
sample "$SAMPLE"
check "$SAMPLE requests after the reload: all 200, body version matches the header" all_200_consistent
check "rollout_v2 share $((100 * $(count 2 rollout_v2) / $(total))) % is within 40..60 %" v2_share_within 40 60
check "both V2 servers answer (v2a $(count 4 v2a), v2b $(count 4 v2b))" \
  test "$(count 4 v2a)" -gt 0 -a "$(count 4 v2b)" -gt 0

echo "== 10 reloads under a client that reuses its connections where nginx allows it"
reusing_client 6 >"$WORK/reusing.out" &
sleep 0.5
check "10 reloads exit 0" reloads 10
wait $!
read -r reused_answers reused_failures <"$WORK/reusing.out"
check "$reused_answers answers, $reused_failures failed (nginx answers \"Connection: close\")" test "$reused_failures" = 0
sed -n '2,$s/^/  | /p' "$WORK/reusing.out"

echo "== V2 slow: SLOW_MS=300 in ${V2_DIRS[*]}"
set_v2_file SLOW_MS 300
sample 60
read -r v2_max v2_min <<<"$(ms_range rollout_v2)"
check "$(count 2 rollout_v2) V2 answers take 300 ms or more (${v2_min}..${v2_max} ms)" test "$v2_min" -ge 300
check "V1 answers stay fast (median $(median_ms rollout_v1) ms of $(count 2 rollout_v1))" \
  test "$(median_ms rollout_v1)" -lt 100

echo "== back to 100 % V1 while slow V2 requests are in flight"
under_load split_and_reload '* rollout_v1;'
sed 's/^/  | /' "$WORK/command.out"
check "nginx-ctl reload exits 0" test "$(cat "$WORK/status")" = 0
check "$(total) answers: all 200 (none failed by the reload), body version matches the header" all_200_consistent
check "slow V2 answers were served meanwhile ($(count 2 rollout_v2))" test "$(count 2 rollout_v2)" -gt 0
sample 100
check "after the reload returned: 100 requests, all from rollout_v1" only_backend rollout_v1
clear_v2_files
set_v2_file FAIL_ROUTES /api/version
split_and_reload '50% rollout_v2;' '* rollout_v1;' >/dev/null

echo "== V2 failing: FAIL_ROUTES=/api/version in the V2 release dirs, 50 % to V2"
sample 100
check "V2 answers are its 500s, passed through ($(count 2 rollout_v2) of $(total), $(awk '$2 == "rollout_v2" && $1 != 500' "$WORK/answers" | wc -l) not 500)" \
  test "$(awk '$2 == "rollout_v2" && $1 == 500 && $3 == "v2"' "$WORK/answers" | wc -l)" = "$(count 2 rollout_v2)"
check "V1 answers are 200 ($(count 2 rollout_v1))" \
  test "$(awk '$2 == "rollout_v1" && $1 == 200' "$WORK/answers" | wc -l)" = "$(count 2 rollout_v1)"
clear_v2_files
split_and_reload '* rollout_v1;' >/dev/null

echo "== a broken split is refused"
cp "$SPLIT" "$WORK/good-split"
write_split '50% rollout_v2;' '* rollout_v1;'
sed -i '$d' "$SPLIT"
check "no closing brace: nginx-ctl test exits non-zero" test_fails
sed 's/^/  | /' <("$CTL" test 2>&1 | head -n 1)
write_split '60% rollout_v2;' '50% rollout_v1;'
check "60 % + 50 %: nginx-ctl test exits non-zero" test_fails
sed 's/^/  | /' <("$CTL" test 2>&1 | head -n 1)
under_load "$CTL" reload
sed 's/^/  | /' "$WORK/command.out" | tail -n 2
check "nginx-ctl reload of the 60 % + 50 % split exits non-zero" test "$(cat "$WORK/status")" != 0
check "$(total) answers meanwhile: all 200 from rollout_v1" all_200_consistent
check "  ... and all from rollout_v1 (the running configuration stayed live)" only_backend rollout_v1
mv -f "$WORK/good-split" "$SPLIT"
check "good split restored: nginx-ctl test exits 0" test_passes
sample 20
check "nginx still serves: 20 requests, all 200 from rollout_v1" only_backend rollout_v1

echo "== lb1 over SSH, as the rollout runbook drives it"
check "lb1 (127.0.0.1:$RUNBOOKS_LB_SSH_PORT, key, strict known_hosts) is its own host" \
  test "$(ssh_lb1 "echo \"\$RUNBOOKS_LOCAL_HOST\"")" = lb1
check "nginx-ctl test over SSH exits 0" grep -q 'test is successful' <(ssh_lb1 "$CTL" test 2>&1)
# shellcheck disable=SC2016 # nginx variables
printf '%s\n' 'split_clients "${request_id}" $rollout_backend {' '    * rollout_v2;' '}' >"$WORK/all-v2.conf"
status=0
ssh_lb1 "cat >'$SPLIT.tmp' && mv -f '$SPLIT.tmp' '$SPLIT' && '$CTL' test 2>/dev/null && '$CTL' reload" \
  <"$WORK/all-v2.conf" >"$WORK/command.out" 2>&1 || status=$?
sed 's/^/  | /' "$WORK/command.out"
check "100 % V2 written, tested and reloaded over SSH" test "$status" = 0
sample 20
check "20 requests, all 200 from rollout_v2" only_backend rollout_v2
check "  ... with v2 in the body" test "$(count 3 v2)" = 20
all_v1
check "back to 100 % V1 over SSH" ssh_lb1 "'$CTL' reload" >/dev/null
sample 20
check "20 requests, all 200 from rollout_v1" only_backend rollout_v1

echo "== access log"
tail -n 1 "$RUNBOOKS_NGINX_DIR/logs/access.log" | sed 's/^/  | /'
check "lines carry status, request_time, backend and upstream" grep -qE \
  'status=200 request_time=[0-9.]+ backend=rollout_v1 upstream=127\.0\.0\.1:1831[12]' \
  <(tail -n 1 "$RUNBOOKS_NGINX_DIR/logs/access.log")

if ((FAILURES)); then
  echo "nginx self-test: $FAILURES check(s) FAILED"
  exit 1
fi
echo "nginx self-test: all checks passed"
