#!/usr/bin/env bash
# The test command (README, CI): installs what is missing, builds with warnings as errors, runs
# every test through ctest and prints its summary. Non-zero exit on any failure.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$here/scripts/install-deps.sh"
bash "$here/scripts/build.sh"
cd "$here/build"
ctest --output-on-failure -j2 --timeout 300
