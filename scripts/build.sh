#!/usr/bin/env bash
# Configures and builds everything into build/ (warnings are errors, as in CI).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cmake -S "$here" -B "$here/build" -DMCPSANDBOX_WERROR=ON >/dev/null
cmake --build "$here/build" -j"$(nproc)"
