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

# The rollout stack (scripts/nginx.sh): the caller sets SPLIT (the split file) and V2_DIRS (the V2
# release directories) from `scripts/nginx.sh env`.

# Replaces the split file the way the runbook must: a temporary name outside *.conf, then mv.
write_split() {
  {
    echo "# Written by $(basename "$0")."
    # shellcheck disable=SC2016 # nginx variables
    echo 'split_clients "${request_id}" $rollout_backend {'
    printf '    %s\n' "$@"
    echo '}'
  } >"$SPLIT.tmp"
  mv -f "$SPLIT.tmp" "$SPLIT"
}

# Writes a test file (SLOW_MS, FAIL_ROUTES) into every V2 release directory.
set_v2_file() {
  local name="$1" value="$2" dir
  for dir in "${V2_DIRS[@]}"; do
    echo "$value" >"$dir/$name"
  done
}

clear_v2_files() {
  local dir
  for dir in "${V2_DIRS[@]}"; do
    rm -f "$dir/SLOW_MS" "$dir/FAIL_ROUTES"
  done
}
