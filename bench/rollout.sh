#!/usr/bin/env bash
# Rollback of a traffic shift under steady load, on the local nginx (scripts/nginx.sh).
#   bench/rollout.sh [ROUNDS]        (default 3)
# In one run, on one machine:
#   (a) reference: the same change by hand on the nginx host: write the split file with all traffic
#       on V1 and `nginx-ctl reload` (which tests first), locally, no SSH; and a raw SSH round trip
#       to lb1 (`ssh lb1 true`, fresh connection)
#   (b) a rollout 25 % -> 100 % under steady load (bench/loadgen, 4 threads through nginx); once the
#       bake at 25 % has begun, V2 is made slow (SLOW_MS=800, guard p95 500 ms, sustain 3 s, probe
#       window 1 s): the runbook's time from the start of the first breaching observation to the
#       end of the reload that put all traffic back on V1, that time less the sustain window, and
#       every request of the load that did not answer 200
set -euo pipefail

cd "$(dirname "$0")/.."
ROUNDS="${1:-3}"
QUEUE=bench-rollout
PORT=18094

scripts/stack.sh up >/dev/null
eval "$(scripts/stack.sh env)"
STATE="$RUNBOOKS_STACK_DIR"
WORKER_PORT=$PORT RUNBOOKS_TASK_QUEUE=$QUEUE scripts/worker.sh start >/dev/null
work="$(mktemp -d)"
read -r -a V2_DIRS <<<"$RUNBOOKS_ROLLOUT_V2_DIRS"
all_v1() {
  # shellcheck disable=SC2016 # nginx variables, written as they are
  printf 'split_clients "${request_id}" $rollout_backend {\n    * rollout_v1;\n}\n' >"$work/split"
  mv "$work/split" "$RUNBOOKS_NGINX_SPLIT_FILE"
  "$RUNBOOKS_NGINX_CTL" reload >/dev/null
}
healthy_v2() { for d in "${V2_DIRS[@]}"; do rm -f "$d/SLOW_MS" "$d/FAIL_ROUTES"; done; }
cleanup() {
  touch "$work/stop"
  healthy_v2
  all_v1 || true
  WORKER_PORT=$PORT scripts/worker.sh stop >/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
runbook() { RUNBOOKS_TASK_QUEUE=$QUEUE bin/runbook "$@"; }
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

echo "load average before the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"

healthy_v2
hand=()
for _ in $(seq 1 10); do
  s=$(date +%s%N)
  all_v1
  hand+=($(( ($(date +%s%N) - s) / 1000000 )))
done
ssh_rt=()
for _ in $(seq 1 10); do
  s=$(date +%s%N)
  ssh -q -i "$STATE/ssh/id_ed25519" -o UserKnownHostsFile="$STATE/ssh/known_hosts" -o StrictHostKeyChecking=yes \
    -o BatchMode=yes -p "$RUNBOOKS_LB_SSH_PORT" root@127.0.0.1 true
  ssh_rt+=($(( ($(date +%s%N) - s) / 1000000 )))
done
hand_ms="$(printf '%s\n' "${hand[@]}" | median)"
ssh_ms="$(printf '%s\n' "${ssh_rt[@]}" | median)"
echo "(a) by hand: write the split + nginx-ctl reload (test included): median ${hand_ms} ms of 10"
echo "    raw SSH round trip to lb1 (ssh lb1 true):                   median ${ssh_ms} ms of 10"

sed -e 's/^steps: .*/steps: [25, 100]/' -e 's/^bake: .*/bake: 60s/' runbooks/local-rollout.yaml >"$work/rollout.yaml"
breach=() after=() bad=()
for round in $(seq 1 "$ROUNDS"); do
  name="bench-rollout-$round-$(date +%s)"
  rm -f "$work/stop"
  java bench/loadgen/LoadGen.java "$RUNBOOKS_NGINX_URL/api/version" 4 300 1000000 "$work/stop" >"$work/load-$round.txt" &
  load=$!
  runbook start "$work/rollout.yaml" --set name="$name" --set probe.window=1s --set guards.sustain=3s \
    --set guards.p95=500ms --set gates.p95=400ms --set probe.rate=40 >/dev/null
  for _ in $(seq 1 600); do
    runbook report "rollout/$name" --format json 2>/dev/null | jq -e '[.steps[].name] | index("Observe 25% #1")' >/dev/null && break
    sleep 0.1
  done
  for d in "${V2_DIRS[@]}"; do echo 800 >"$d/SLOW_MS"; done
  runbook watch "rollout/$name" >/dev/null || true
  touch "$work/stop"
  wait "$load"
  healthy_v2
  report="$(runbook report "rollout/$name" --format json)"
  outcome="$(jq -r .outcome <<<"$report")"
  ms="$(jq -r '.facts["rollback.breachToAllV1Millis"] // "none"' <<<"$report")"
  failed="$(awk '$1 != "total" && $1 != "200" { n += $NF } END { print n + 0 }' "$work/load-$round.txt")"
  total="$(awk '$1 == "total" { print $2 }' "$work/load-$round.txt")"
  echo "round $round: $outcome, breach -> 100 % V1 ${ms} ms; load: $total requests, $failed not 200"
  [[ "$ms" == none ]] || { breach+=("$ms"); after+=($((ms - 3000))); }
  bad+=("$failed")
  all_v1
done
b="$(printf '%s\n' "${breach[@]}" | median)"
a="$(printf '%s\n' "${after[@]}" | median)"
echo "(b) breach -> 100 % V1 (first breaching observation to the end of the reload): median ${b} ms of ${#breach[@]}"
echo "    of which after the 3 s sustain window:                                      median ${a} ms"
echo "    requests that did not answer 200 during the rollouts and rollbacks:          $(IFS=+; echo "$((${bad[*]}))")"
awk -v a="$a" -v h="$hand_ms" -v s="$ssh_ms" 'BEGIN { printf "    after the sustain window vs by hand + one SSH round trip: %.1fx\n", a / (h + s) }'
