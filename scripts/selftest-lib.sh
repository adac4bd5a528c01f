# shellcheck shell=bash
# Checks of the stack self-tests: each prints "ok" or "FAIL" with what it checked, and counts
# failures in FAILURES for the script's exit status.
FAILURES=0

pass() { printf 'ok    %s\n' "$*"; }
fail() {
  printf 'FAIL  %s\n' "$*"
  FAILURES=$((FAILURES + 1))
}
check() {
  local what="$1"
  shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}
