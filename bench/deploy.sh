#!/usr/bin/env bash
# Deploy and rollback on the local SSH hosts web1..web4, and the engine's own cost per step.
#   bench/deploy.sh [ROUNDS]        (default 3)
# In one run, on one machine:
#   (a) raw SSH round trip: `ssh host true` over a fresh connection (OpenSSH), the reference
#   (b) a deploy of the demo application to 4 hosts, one at a time: per-host deploy time, and the
#       time from SwitchRelease to the end of Restart (the switch plus the zero-downtime reload)
#   (c) a release that fails its smoke check on every host, batch size 1: the automatic per-host
#       rollback (SwitchBack, RestartAfterSwitchBack, SmokeCheckAfterSwitchBack)
#   (e) a rollback (kind: rollback) of the 4 hosts from the release of (b) to the one before, two
#       hosts at a time: per host (LockHost .. UnlockHost) and all hosts (GO .. last step)
#   (d) the engine's overhead: a deploy whose hooks are `true` on 4 hosts (8 SSH steps a host);
#       each SSH step's duration as recorded by Temporal, minus the raw round trip of (a)
set -euo pipefail

cd "$(dirname "$0")/.."
ROUNDS="${1:-3}"
QUEUE=bench-deploy
PORT=18093

scripts/stack.sh up >/dev/null
eval "$(scripts/stack.sh env)"
STATE="$RUNBOOKS_STACK_DIR"
WORKER_PORT=$PORT RUNBOOKS_TASK_QUEUE=$QUEUE scripts/worker.sh start >/dev/null
work="$(mktemp -d)"
trap 'WORKER_PORT=$PORT scripts/worker.sh stop >/dev/null; rm -rf "$work"' EXIT
runbook() { RUNBOOKS_TASK_QUEUE=$QUEUE bin/runbook "$@"; }

artifact() { # release [extra file content for FAIL_ROUTES]
  local tree="$work/tree-$1"
  mkdir -p "$tree"
  tar -C demo-app --exclude=__pycache__ -cf - . | tar -C "$tree" -xf -
  echo "$1" >"$tree/VERSION"
  if [[ -n "${2:-}" ]]; then echo "$2" >"$tree/FAIL_ROUTES"; fi
  tar -czf "$work/$1.tar.gz" -C "$tree" .
  echo "$work/$1.tar.gz"
}

deploy_file() { # name release artifact install restart batch
  sed -e "s#^name: .*#name: $1#" -e "s#^release: .*#release: $2#" -e "s#^artifact: .*#artifact: $3#" \
    -e "s#^  install: .*#  install: '$4'#" -e "s#^  restart: .*#  restart: '$5'#" \
    -e "s#^  migrate: .*##" -e "s#^  batchSize: .*#  batchSize: $6#" runbooks/local-deploy.yaml >"$work/$1.yaml"
  echo "$work/$1.yaml"
}

# Seconds between two step timestamps of a JSON report, per host: jq over "<host>: <step>".
span() { # report.json host first-step last-step
  jq -r --arg a "$2: $3" --arg b "$2: $4" '
    ([.steps[] | select(.name == $a)][0].startedAt) as $s | ([.steps[] | select(.name == $b)][-1].finishedAt) as $e
    | (($e | sub("\\.[0-9]+"; "") | fromdateiso8601) + ($e | capture("\\.(?<f>[0-9]+)").f // "0" | ("0." + .) | tonumber)
      - ($s | sub("\\.[0-9]+"; "") | fromdateiso8601) - ($s | capture("\\.(?<f>[0-9]+)").f // "0" | ("0." + .) | tonumber))
    | . * 1000 | round' "$1"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

echo "load average before the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"

raw=()
for _ in $(seq 1 20); do
  s=$(date +%s%N)
  ssh -q -i "$STATE/ssh/id_ed25519" -o UserKnownHostsFile="$STATE/ssh/known_hosts" -o StrictHostKeyChecking=yes \
    -o BatchMode=yes -p 12201 "$RUNBOOKS_SSH_USER@127.0.0.1" true
  raw+=($(( ($(date +%s%N) - s) / 1000000 )))
done
raw_ms="$(printf '%s\n' "${raw[@]}" | median)"
echo "(a) raw SSH round trip (fresh connection, ssh host true): median ${raw_ms} ms of 20"

restart='"$DEPLOY_ROOT/../bin/service" reload'
host_ms=() switch_ms=() back_ms=() step_ms=() rollback_host_ms=() rollback_ms=()
for round in $(seq 1 "$ROUNDS"); do
  tag="b$(date +%s)-$round"
  good="$tag-ok"
  runbook start "$(deploy_file bench-deploy "$good" "$(artifact "$good")" bin/build "$restart" 1)" --watch >/dev/null
  runbook report deploy/bench-deploy --format json >"$work/good.json"
  for h in web1 web2 web3 web4; do
    host_ms+=("$(span "$work/good.json" $h LockHost SmokeCheck)")
    switch_ms+=("$(span "$work/good.json" $h SwitchRelease Restart)")
  done

  runbook start runbooks/local-rollback.yaml --set name=bench-rollback --set "reason=bench round $round" >/dev/null
  for _ in $(seq 1 300); do
    runbook approve rollback/bench-rollback --as alice >/dev/null 2>&1 && break
    sleep 0.2
  done
  runbook watch rollback/bench-rollback >/dev/null
  runbook report rollback/bench-rollback --format json >"$work/rollback.json"
  for h in web1 web2 web3 web4; do
    rollback_host_ms+=("$(span "$work/rollback.json" $h LockHost UnlockHost)")
  done
  rollback_ms+=("$(jq -r '
    def t: (sub("\\.[0-9]+"; "") | fromdateiso8601) + ((capture("\\.(?<f>[0-9]+)").f // "0") | "0." + . | tonumber);
    ([.steps[] | select(.name == "ConfirmRollback")][0].finishedAt | t) as $go | ([.steps[].finishedAt | t] | max) as $last
    | ($last - $go) * 1000 | round' "$work/rollback.json")")

  bad="$tag-bad"
  runbook start "$(deploy_file bench-deploy "$bad" "$(artifact "$bad" /)" bin/build "$restart" 1)" --watch >/dev/null || true
  runbook report deploy/bench-deploy --format json >"$work/bad.json"
  back_ms+=("$(span "$work/bad.json" web1 SwitchBack SmokeCheckAfterSwitchBack)")

  noop="$tag-noop"
  runbook start "$(deploy_file bench-deploy "$noop" "$(artifact "$noop")" true true 4)" --watch >/dev/null
  runbook report deploy/bench-deploy --format json >"$work/noop.json"
  while read -r ms; do step_ms+=("$ms"); done < <(jq -r '
    .steps[] | select(.name | test(": (ReadCurrentRelease|LockHost|Install|SwitchRelease|Restart|UnlockHost|PruneReleases)$"))
    | ((.finishedAt | sub("\\.[0-9]+"; "") | fromdateiso8601) + ((.finishedAt | capture("\\.(?<f>[0-9]+)").f // "0") | "0." + . | tonumber)
       - (.startedAt | sub("\\.[0-9]+"; "") | fromdateiso8601) - ((.startedAt | capture("\\.(?<f>[0-9]+)").f // "0") | "0." + . | tonumber))
    | . * 1000 | round' "$work/noop.json")
done

host="$(printf '%s\n' "${host_ms[@]}" | median)"
switch="$(printf '%s\n' "${switch_ms[@]}" | median)"
back="$(printf '%s\n' "${back_ms[@]}" | median)"
step="$(printf '%s\n' "${step_ms[@]}" | median)"
rollback_host="$(printf '%s\n' "${rollback_host_ms[@]}" | median)"
rollback="$(printf '%s\n' "${rollback_ms[@]}" | median)"
echo "(b) deploy, per host (LockHost .. SmokeCheck, hooks bin/build and reload): median ${host} ms of ${#host_ms[@]}"
echo "    switch + zero-downtime reload (SwitchRelease .. Restart):             median ${switch} ms of ${#switch_ms[@]}"
echo "(c) automatic rollback of a host (SwitchBack .. SmokeCheckAfterSwitchBack): median ${back} ms of ${#back_ms[@]}"
echo "(e) rollback runbook, per host (LockHost .. UnlockHost):                 median ${rollback_host} ms of ${#rollback_host_ms[@]}"
echo "    rollback runbook, 4 hosts two at a time (GO .. last step):          median ${rollback} ms of ${#rollback_ms[@]}"
echo "(d) one SSH step with a no-op command, as Temporal recorded it:             median ${step} ms of ${#step_ms[@]}"
awk -v s="$step" -v r="$raw_ms" 'BEGIN { printf "    engine overhead per step: %d ms over the raw round trip (%.1fx)\n", s - r, s / r }'
