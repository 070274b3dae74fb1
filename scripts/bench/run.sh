#!/usr/bin/env bash
# Builds and runs the benchmarks; each prints its baseline measured in the same run.
#   proxy_bench:   relay latency and throughput, direct vs copy relay vs mcpsandbox
#   startup_bench: sandbox start-up vs direct and bubblewrap, seccomp's per-syscall cost
#   message_bench: CPU cost of validating messages (Google Benchmark)
#   policy_bench:  the protocol-layer policy's added cost per tools/call (Google Benchmark)
#   grant_bench:   call-scoped kernel grants' added latency per call (root)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bash "$here/scripts/build.sh" >/dev/null
"$here/build/scripts/bench/proxy_bench" "$here/build/mcpsandbox" "$here/build/tests/echo_server"
echo
"$here/build/scripts/bench/startup_bench" "$here/build/mcpsandbox"
echo
"$here/build/scripts/bench/grant_bench" "$here/build/mcpsandbox" "$here/build/tests/echo_server"
echo
if [[ -x $here/build/scripts/bench/message_bench ]]; then
  "$here/build/scripts/bench/message_bench" --benchmark_min_time=0.2
fi
if [[ -x $here/build/scripts/bench/policy_bench ]]; then
  "$here/build/scripts/bench/policy_bench" --benchmark_min_time=0.2 --benchmark_repetitions=5 \
    --benchmark_report_aggregates_only=true
fi
