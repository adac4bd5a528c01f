#!/usr/bin/env bash
# The whole test suite from a fresh clone: starts the local stack, then runs `mvn -B verify` on every
# module and prints a per-module test summary. Extra arguments go to Maven (e.g. -o for offline).
set -euo pipefail

cd "$(dirname "$0")/.."

scripts/stack.sh up --with-test-tools
eval "$(scripts/stack.sh env)"

# Only reports written by this build count: an older target/ may hold reports of removed tests.
# The marker is dated a second back because file times have a coarse clock tick.
marker="$(mktemp)"
trap 'rm -f "$marker"' EXIT
touch -d '1 second ago' "$marker"

build_status=0
mvn -B verify "$@" || build_status=$?

summary() {
  local reports=()
  # The XML reports, not the .txt ones: those count the tests of @Nested classes as 0.
  mapfile -d '' reports < <(find . \( -path '*/target/surefire-reports/TEST-*.xml' \
    -o -path '*/target/failsafe-reports/TEST-*.xml' \) -newer "$marker" -print0)
  if ((${#reports[@]} == 0)); then
    echo "no test reports were written"
    return 0
  fi
  # shellcheck disable=SC2016 # awk program, not shell
  awk '
    FNR == 1 { module = FILENAME; sub(/^\.\//, "", module); sub(/\/target\/.*/, "", module); seen[module] = 1 }
    /<testcase / {
      run[module]++
      test = " " $0; sub(/.*<testcase /, " ", test)
      name = match(test, / name="[^"]*"/) ? substr(test, RSTART + 7, RLENGTH - 8) : "?"
      class = match(test, / classname="[^"]*"/) ? substr(test, RSTART + 12, RLENGTH - 13) : "?"
    }
    /<failure[ >\/]/ { failed[module]++; bad[module] = bad[module] "\n    failed: " class "." name }
    /<error[ >\/]/ { errors[module]++; bad[module] = bad[module] "\n    error:  " class "." name }
    /<skipped[ >\/]/ { skipped[module]++ }
    END {
      printf "%-14s %6s %8s %7s %8s\n", "module", "tests", "failures", "errors", "skipped"
      for (m in seen) {
        printf "%-14s %6d %8d %7d %8d%s\n", m, run[m], failed[m], errors[m], skipped[m], bad[m]
        t += run[m]; f += failed[m]; e += errors[m]; s += skipped[m]
      }
      printf "%-14s %6d %8d %7d %8d\n", "TOTAL", t, f, e, s
      exit (f + e > 0)
    }' "${reports[@]}"
}

echo
echo "=== Test summary (Surefire/Failsafe reports of this build) ==="
summary_status=0
summary || summary_status=$?

if ((build_status != 0)); then
  echo "mvn -B verify failed (exit $build_status)" >&2
  exit "$build_status"
fi
if ((summary_status != 0)); then
  echo "test reports show failures or errors" >&2
  exit 1
fi
echo "all tests passed"
