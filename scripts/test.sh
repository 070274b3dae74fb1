#!/usr/bin/env bash
# The test command (README, CI): installs what is missing, builds with warnings as errors, runs
# every test through ctest and prints its summary. Non-zero exit on any failure.
#
#   scripts/test.sh          the whole suite (unit, integration, escape, SDK, VM)
#   scripts/test.sh --full   that, then the hardening runs CI does (scripts/harden.sh):
#                            ASan+UBSan build and suite, fuzzing, ThreadSanitizer
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
full=0
for argument in "$@"; do
  case "$argument" in
    --full) full=1 ;;
    *) echo "usage: scripts/test.sh [--full]" >&2; exit 2 ;;
  esac
done
bash "$here/scripts/install-deps.sh"
bash "$here/scripts/build.sh"
cd "$here/build"
status=0
ctest --output-on-failure -j2 --timeout 300 || status=$?
bash "$here/scripts/list-skips.sh"
((status == 0)) || exit "$status"
if ((full)); then
  bash "$here/scripts/harden.sh"
fi
