#!/usr/bin/env bash
# Runs `make test` RUNS times in a row on a fresh clone of this checkout's HEAD, optionally with HOGS busy-loop
# processes keeping CPUs busy, and prints one line a run (pass/FAIL, seconds, load). Exits non-zero if any run
# failed. Usage: scripts/test-repeat.sh [RUNS=10] [HOGS=1]; each run's output is kept in $DIR/run<N>.log.
set -uo pipefail
runs=${1:-10}; hogs=${2:-1}
repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
dir=$(mktemp -d /tmp/convrs-repeat.XXXXXX)
git clone -q "$repo" "$dir/repo" && cd "$dir/repo" || exit 1
echo "test-repeat: $(git rev-parse --short HEAD), $runs runs, $hogs CPU hog(s), logs in $dir"
pids=()
for _ in $(seq 1 "$hogs"); do (while :; do :; done) & pids+=($!); done
trap 'kill "${pids[@]}" 2>/dev/null' EXIT
failed=0
for i in $(seq 1 "$runs"); do
  start=$(date +%s)
  if make test > "$dir/run$i.log" 2>&1; then result=pass; else result=FAIL; failed=$((failed + 1)); fi
  echo "run $i: $result in $(( $(date +%s) - start )) s, load $(cut -d' ' -f1 /proc/loadavg)"
done
echo "test-repeat: $((runs - failed)) of $runs passed"
[ "$failed" -eq 0 ]
