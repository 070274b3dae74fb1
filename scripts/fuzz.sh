#!/usr/bin/env bash
# Runs every libFuzzer target (tests/fuzz/) for a while, from the committed seed corpus plus
# what earlier runs found, and prints executions per target. A crash stops the run, non-zero,
# naming the input: copy it into tests/fuzz/regressions/<target>/ and fix the bug; the replay
# tests (ctest -R fuzz) keep it fixed.
#
#   scripts/fuzz.sh                     # 20 s per target, build-asan/ (made by test.sh --full)
#   scripts/fuzz.sh build-asan 3600     # an hour per target
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$here/build-asan}"
seconds="${2:-20}"
[ -d "$build/tests/fuzz" ] || { echo "fuzz.sh: no fuzz targets in $build (run scripts/test.sh --full, or configure with clang and -DMCPSANDBOX_SANITIZE=address)" >&2; exit 2; }
work="$build/fuzz-work"
mkdir -p "$work"
printf '%-16s %12s %10s %8s\n' target executions exec/s corpus
status=0
for fuzzer in "$build"/tests/fuzz/*_fuzz; do
  name="$(basename "$fuzzer" _fuzz)"
  mkdir -p "$work/$name/corpus" "$work/$name/crashes"
  log="$work/$name/log"
  if ! "$fuzzer" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=4096 \
        -artifact_prefix="$work/$name/crashes/" "$work/$name/corpus" \
        "$here/tests/fuzz/corpus/$name" "$here/tests/fuzz/regressions/$name" >"$log" 2>&1; then
    echo "fuzz.sh: $name FAILED; the input is in $work/$name/crashes/ (log: $log):" >&2
    grep -E "ERROR|SUMMARY|Test unit written" "$log" | head -5 >&2
    status=1
    continue
  fi
  executions="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")"
  rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")"
  corpus="$(ls "$work/$name/corpus" | wc -l)"
  printf '%-16s %12s %10s %8s\n' "$name" "$executions" "$rate" "$corpus"
done
exit "$status"
