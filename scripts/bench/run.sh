#!/usr/bin/env bash
# Builds (Release flags via the default RelWithDebInfo build) and runs the proxy benchmark:
# the same workloads direct and through mcpsandbox, ratios printed side by side.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bash "$here/scripts/build.sh" >/dev/null
"$here/build/scripts/bench/proxy_bench" "$here/build/mcpsandbox" "$here/build/tests/echo_server"
