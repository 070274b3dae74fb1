#!/usr/bin/env bash
# The hardening runs (scripts/test.sh --full, and CI):
#   1. build-asan/: everything with clang, AddressSanitizer + UndefinedBehaviorSanitizer
#      (undefined behaviour is fatal) and libFuzzer coverage; the unit, integration, escape and
#      concurrency suites run under it, and every fuzz target replays its corpus and regressions;
#   2. each fuzz target fuzzes for FUZZ_SECONDS (default 6: CI stays under 25 minutes;
#      scripts/fuzz.sh for longer runs);
#   3. build-tsan/: the proxy and its concurrency tests under ThreadSanitizer.
# The SDK and VM tests are not repeated (they test node and the kernel, not our memory safety).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${FUZZ_SECONDS:-6}"
jobs="$(nproc)"

sanitized_build() {  # DIR MODE OPTIMIZATION
  # -O0 for the big ASan tree keeps CI's build time down; TSan wants -O1 to stay fast enough.
  # -g1 (line tables): enough for symbolized sanitizer reports, much cheaper to compile than -g.
  cmake -S "$here" -B "$here/$1" -DMCPSANDBOX_SANITIZE="$2" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$3 -g1" -DCMAKE_C_FLAGS_RELWITHDEBINFO="$3 -g1" >/dev/null
  cmake --build "$here/$1" -j"$jobs"
}

echo "harden: ASan+UBSan build"
sanitized_build build-asan address -O0
# Leak checking stays on: a leak in the proxy is a bug like any other. A small quarantine, so
# the memory-bound tests measure the proxy, not ASan's hold on freed blocks.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1:quarantine_size_mb=4:allocator_release_to_os_interval_ms=50"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
(cd "$here/build-asan" && ctest --output-on-failure -j2 --timeout 600 -E '^(vm|sdk|package)\.') || {
  bash "$here/scripts/list-skips.sh" "$here/build-asan/Testing/Temporary/LastTest.log"; exit 1; }
bash "$here/scripts/list-skips.sh" "$here/build-asan/Testing/Temporary/LastTest.log"

echo "harden: fuzzing, ${seconds} s per target"
bash "$here/scripts/fuzz.sh" "$here/build-asan" "$seconds"

echo "harden: ThreadSanitizer build"
sanitized_build build-tsan thread -O1
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1"
(cd "$here/build-tsan" && ctest --output-on-failure -j2 --timeout 600)
