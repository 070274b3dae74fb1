#!/usr/bin/env bash
# Lists every test the last ctest run skipped, with the reason the test gave (from gtest's
# "Skipped" line in build/Testing/Temporary/LastTest.log). Part of every test run's summary, so
# a skip never hides in a green run.
set -euo pipefail
log="${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build/Testing/Temporary/LastTest.log}"
[[ -f "$log" ]] || { echo "no ctest log at $log"; exit 0; }
awk '
  /^[0-9]+\/[0-9]+ Test: / { test = $0; sub(/^[0-9]+\/[0-9]+ Test: /, "", test) }
  reason_next { reasons[test] = reasons[test] (reasons[test] == "" ? "" : "; ") $0; reason_next = 0 }
  /: Skipped$/ { reason_next = 1 }
  /^Skip regular expression found in output/ { skipped[test] = 1 }
  END {
    n = 0
    for (t in skipped) n++
    printf "skipped tests: %d\n", n
    for (t in skipped) printf "  SKIPPED %s: %s\n", t, (reasons[t] == "" ? "(no reason given)" : reasons[t])
  }' "$log"
