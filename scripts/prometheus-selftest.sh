#!/usr/bin/env bash
# Self-test of the rollout stack's Prometheus (scripts/prometheus.sh), not part of CI: brings it up
# twice (the second 'up' leaves it alone), checks every backend's /metrics with promtool and that
# Prometheus scrapes all four with their upstream label, sends 300 requests through nginx at a 50 %
# split and finds each of them counted once, under the upstream nginx named, reads V2's p95 with
# histogram_quantile, makes V2 slow (SLOW_MS=300: its p95 rises above 0.25 s, V1's stays low) and
# failing (FAIL_ROUTES: its error rate rises, V1's stays 0). Prints the PromQL query of every check.
# Leaves the split at 100 % V1 and no test files.
# Usage: scripts/prometheus-selftest.sh (needs the stack's PostgreSQL and SSH keys: scripts/stack.sh up)
set -euo pipefail

cd "$(dirname "$0")/.."
LOAD_LOOPS=4
WINDOW=30s
WORK="$(mktemp -d)"

# The queries are printed on stderr (stdout is captured): in order with the checks.
exec 2>&1
scripts/nginx.sh up >/dev/null 2>"$WORK/nginx-up.err"
scripts/prometheus.sh up 2>"$WORK/up1.err"
scripts/prometheus.sh up 2>"$WORK/up2.err"
eval "$(scripts/nginx.sh env)"
eval "$(scripts/prometheus.sh env)"
CTL="$RUNBOOKS_NGINX_CTL"
SPLIT="$RUNBOOKS_NGINX_SPLIT_FILE"
URL="$RUNBOOKS_NGINX_URL/api/version"
PROM="$RUNBOOKS_PROMETHEUS_URL"
read -r -a V1_URLS <<<"$RUNBOOKS_ROLLOUT_V1_URLS"
read -r -a V2_URLS <<<"$RUNBOOKS_ROLLOUT_V2_URLS"
read -r -a V2_DIRS <<<"$RUNBOOKS_ROLLOUT_V2_DIRS"

# shellcheck source=scripts/selftest-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/selftest-lib.sh"

cleanup() {
  wait
  clear_v2_files
  if ! grep -q '^    \* rollout_v1;$' "$SPLIT" || grep -q '%' "$SPLIT"; then
    write_split '* rollout_v1;'
    "$CTL" reload >/dev/null || echo "cleanup: nginx-ctl reload failed; see $RUNBOOKS_NGINX_DIR/logs/error.log"
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# Sends n requests through nginx from LOAD_LOOPS parallel loops; each answer's code and
# X-Rollout-Backend header, one a line, go to $WORK/answers.
load() {
  local n="$1" i pids=()
  for ((i = 0; i < LOAD_LOOPS; i++)); do
    (
      local k
      for ((k = i; k < n; k += LOAD_LOOPS)); do
        curl -s -o /dev/null --max-time 10 -w '%{http_code} %header{x-rollout-backend}\n' "$URL" || echo "ERR -"
      done
    ) >"$WORK/load.$i" &
    pids+=($!)
  done
  wait "${pids[@]}"
  cat "$WORK"/load.* >"$WORK/answers"
  rm -f "$WORK"/load.*
}

answers() { awk -v c="$1" -v b="$2" '(c == "*" || $1 == c) && $2 == b' "$WORK/answers" | wc -l; }

# One instant query; prints "<labels as k=v,...> <value>" a result, e.g. "upstream=rollout_v2 0.0047".
# Every query is printed first, as "  PromQL: ...", so it can be copied into runbook files.
query() {
  echo "  PromQL: $1" >&2
  curl -sf "$PROM/api/v1/query" --data-urlencode "query=$1" | python3 -c '
import json, sys
answer = json.load(sys.stdin)
if answer["status"] != "success":
    sys.exit("query failed: %s" % answer)
data = answer["data"]
results = data["result"] if data["resultType"] == "vector" else [{"metric": {}, "value": data["result"]}]
for r in results:
    labels = ",".join("%s=%s" % kv for kv in sorted(r["metric"].items())) or "-"
    print(labels, r["value"][1])
'
}

# The value of a query that yields one series, or "none".
value() {
  local out
  out="$(query "$1")"
  if [[ -z "$out" ]]; then
    echo none
  else
    head -n 1 <<<"$out" | awk '{ print $2 }'
  fi
}

is_number() { [[ "$1" =~ ^-?[0-9]+(\.[0-9]+)?(e[-+]?[0-9]+)?$ ]]; }
# gt A B / lt A B: numeric comparisons of query values; "none" and "NaN" are never true.
gt() { is_number "$1" && is_number "$2" && awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }'; }
lt() { is_number "$1" && is_number "$2" && awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

p95_query() {
  echo "histogram_quantile(0.95, sum by (le) (rate(demo_http_request_duration_seconds_bucket{upstream=\"$1\"}[$WINDOW])))"
}

error_rate_query() {
  echo "sum(rate(demo_http_requests_total{upstream=\"$1\",code=~\"5..\"}[$WINDOW])) / sum(rate(demo_http_requests_total{upstream=\"$1\"}[$WINDOW]))"
}

# Requests counted so far by one upstream's backends (the raw counters: exact, unlike increase()).
counted() { value "sum(demo_http_requests_total{job=\"rollout\",upstream=\"$1\"})"; }

# Two scrapes (1 s apart) and some slack, so the last requests are in Prometheus.
settle() { sleep 5; }

# Waits (up to 40 s) until no backend answered a request within the last $WINDOW, so the checks
# judge only this test's requests: e.g. slow V2 answers of scripts/nginx-selftest.sh would still
# hold V2's p95 up. Fails when the window does not empty: someone else sends traffic.
quiet_window() {
  local deadline=$((SECONDS + 40)) seen
  while :; do
    seen="$(value "sum(increase(demo_http_requests_total{job=\"rollout\"}[$WINDOW]))" 2>/dev/null)"
    if [[ "$seen" == 0 ]]; then
      return 0
    fi
    ((SECONDS < deadline)) || return 1
    sleep 2
  done
}

echo "== up"
sed 's/^/  | /' "$WORK/up1.err"
check "a second 'up' leaves the running Prometheus alone" grep -q 'already running' "$WORK/up2.err"
check "/-/ready answers 200 on $PROM" curl -sf "$PROM/-/ready" -o /dev/null

echo "== /metrics of every backend"
for url in "${V1_URLS[@]}" "${V2_URLS[@]}"; do
  curl -sf -D "$WORK/headers" "$url/metrics" -o "$WORK/metrics" || true
  check "$url/metrics: Content-Type text/plain; version=0.0.4" \
    grep -qi '^content-type: text/plain; version=0.0.4' "$WORK/headers"
  check "  ... promtool check metrics accepts it" "$(command -v promtool)" check metrics <"$WORK/metrics"
  check "  ... histogram and counter with version and code labels" grep -qE \
    '^demo_http_request_duration_seconds_bucket\{version="v[12]",code="200",le="\+Inf"\} [0-9]+$' "$WORK/metrics"
done
grep -E '^demo_http_requests_total' "$WORK/metrics" | sed 's/^/  | /'

echo "== targets"
query 'count by (upstream) (up{job="rollout"} == 1)' >"$WORK/targets"
sed 's/^/  | /' "$WORK/targets"
check "both rollout_v1 backends are up" grep -qx 'upstream=rollout_v1 2' "$WORK/targets"
check "both rollout_v2 backends are up" grep -qx 'upstream=rollout_v2 2' "$WORK/targets"

echo "== 300 requests through nginx at 50 % V2"
check "no earlier requests left in the last $WINDOW (waited up to 40 s)" quiet_window
write_split '50% rollout_v2;' '* rollout_v1;'
"$CTL" reload | sed 's/^/  | /'
settle
v1_before="$(counted rollout_v1)"
v2_before="$(counted rollout_v2)"
load 300
settle
v1_counted=$(($(counted rollout_v1) - v1_before))
v2_counted=$(($(counted rollout_v2) - v2_before))
check "300 answers, all 200 ($(answers 200 rollout_v1) from rollout_v1, $(answers 200 rollout_v2) from rollout_v2)" \
  test "$(($(answers 200 rollout_v1) + $(answers 200 rollout_v2)))" = 300
check "rollout_v2 served 40..60 % ($(answers 200 rollout_v2))" \
  test "$(answers 200 rollout_v2)" -ge 120 -a "$(answers 200 rollout_v2)" -le 180
check "Prometheus counted each request once, under its upstream (V1 +$v1_counted, V2 +$v2_counted)" \
  test "$v1_counted" = "$(answers 200 rollout_v1)" -a "$v2_counted" = "$(answers 200 rollout_v2)"
v2_p95="$(value "$(p95_query rollout_v2)")"
check "V2 p95 is a number: $v2_p95 s" is_number "$v2_p95"
check "  ... below 0.25 s while V2 is fast" lt "$v2_p95" 0.25

echo "== V2 slow: SLOW_MS=300 in ${V2_DIRS[*]}"
set_v2_file SLOW_MS 300
load 200
settle
v2_p95="$(value "$(p95_query rollout_v2)")"
v1_p95="$(value "$(p95_query rollout_v1)")"
check "V2 p95 rises above 0.25 s: $v2_p95 s" gt "$v2_p95" 0.25
check "V1 p95 stays below 0.1 s: $v1_p95 s" lt "$v1_p95" 0.1
clear_v2_files

echo "== V2 failing: FAIL_ROUTES=/api/version in ${V2_DIRS[*]}"
set_v2_file FAIL_ROUTES /api/version
load 200
settle
check "nginx passed V2's 500s through ($(answers 500 rollout_v2) of $(answers '*' rollout_v2))" \
  test "$(answers 500 rollout_v2)" = "$(answers '*' rollout_v2)" -a "$(answers 500 rollout_v2)" -gt 0
v2_errors="$(value "$(error_rate_query rollout_v2)")"
v1_errors="$(value "$(error_rate_query rollout_v1)")"
check "V2 error rate over $WINDOW rises: $v2_errors" gt "$v2_errors" 0.1
check "V1 error rate stays 0: $v1_errors" test "$v1_errors" = 0
query "sum by (upstream, code) (rate(demo_http_requests_total{job=\"rollout\"}[$WINDOW]))" | sed 's/^/  | /'
clear_v2_files

echo "== back to 100 % V1"
write_split '* rollout_v1;'
"$CTL" reload | sed 's/^/  | /'

if ((FAILURES)); then
  echo "prometheus self-test: $FAILURES check(s) FAILED"
  exit 1
fi
echo "prometheus self-test: all checks passed"
