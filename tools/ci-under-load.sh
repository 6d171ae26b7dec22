#!/usr/bin/env bash
# Runs CI (.ci/run) on fresh clones of a branch, several times in a row, while other processes keep every
# core busy: a test that passes only on an idle machine fails here.
#   tools/ci-under-load.sh [RUNS] [BRANCH]      defaults: 3 runs of main
# Each run gets its own clone in a temporary folder and its log in $LOG_DIR (default: a temporary folder);
# the load is one busy loop per core (nice 0, like the work it competes with), ended on every exit.
set -uo pipefail
runs=${1:-3}
branch=${2:-main}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
log_dir=${LOG_DIR:-$(mktemp -d -t leakhound-ci-load.XXXXXX)}
mkdir -p "$log_dir"

load_pids=()
stop_load() {
  for p in "${load_pids[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
}
trap stop_load EXIT INT TERM
for _ in $(seq "$(nproc)"); do
  (while :; do :; done) &
  load_pids+=($!)
done
echo "ci-under-load: ${#load_pids[@]} busy loops on $(nproc) cores; logs in $log_dir"

failed=0
for i in $(seq "$runs"); do
  clone=$(mktemp -d -t leakhound-ci-clone.XXXXXX)
  git clone -q --branch "$branch" "$repo" "$clone/leakhound"
  start=$(date +%s)
  (cd "$clone/leakhound" && CI=true bash .ci/run </dev/null) >"$log_dir/run-$i.log" 2>&1
  rc=$?
  secs=$(( $(date +%s) - start ))
  tests=$(grep -E '^\[(INFO|ERROR|WARNING)\] Tests run:' "$log_dir/run-$i.log" | grep -v ' -- in ' \
          | awk -F'[:,]' '{r+=$2; f+=$4; e+=$6; s+=$8} END {printf "%d run, %d failed, %d errors, %d skipped", r, f, e, s}')
  echo "run $i: exit $rc in ${secs}s, $tests, load $(cut -d' ' -f1-3 /proc/loadavg)"
  [ "$rc" -eq 0 ] || { failed=$((failed + 1)); grep -E 'FAIL|Tests run:.*(Failures: [1-9]|Errors: [1-9])' "$log_dir/run-$i.log" | head -20; }
  rm -rf "$clone"
done
echo "ci-under-load: $((runs - failed)) of $runs runs green"
[ "$failed" -eq 0 ]
