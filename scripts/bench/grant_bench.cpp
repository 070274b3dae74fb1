// Call-scoped grants' added latency per call (issue #9; target: at most 20 µs at p50). The same
// tools/call round trip through `mcpsandbox run` with host network and no destination, once
// with the tool's URL argument as a connect grant (resolve, write a cgroup-bpf grant slot before
// forwarding, clear it when the answer passes) and once without, interleaved in one run.
// Needs root (cgroup-bpf).
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "scripts/bench/peer.h"

namespace {

using mcpsandbox::bench::Clock;
using mcpsandbox::bench::Peer;
using mcpsandbox::bench::percentile;

std::string call(int id) {
  return R"({"jsonrpc":"2.0","id":)" + std::to_string(id) +
         R"(,"method":"tools/call","params":{"name":"echo","arguments":{"url":"http://127.0.0.1:8080/x"}}})" "\n";
}

double p50_us(const std::string& mcpsandbox, const std::string& profile, const std::string& echo_server, int count) {
  Peer peer({mcpsandbox, "--log-level", "error", "run", "--profile", profile, "--", echo_server, "16"});
  std::vector<double> samples;
  for (int i = 0; i < count + 300; ++i) {
    auto start = Clock::now();
    peer.send(call(i));
    peer.read_line();
    if (i >= 300) samples.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
  }
  return percentile(samples, 0.5);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s <mcpsandbox> <echo_server>\n", argv[0]);
    return 2;
  }
  if (::geteuid() != 0) {
    std::printf("grant_bench: skipped (call-scoped network grants need root for cgroup-bpf)\n");
    return 0;
  }
  signal(SIGPIPE, SIG_IGN);
  char dir[] = "/tmp/mcpsandbox-grant-bench-XXXXXX";
  if (!mkdtemp(dir)) return 1;
  std::string with = std::string(dir) + "/with.json", without = std::string(dir) + "/without.json";
  std::ofstream(with) << R"({"network": {"mode": "host", "allow": []},
                             "tools": {"echo": {"grants": {"url": "connect"}}}})";
  std::ofstream(without) << R"({"network": {"mode": "host", "allow": []}})";
  double best_with = 1e9, best_without = 1e9;
  try {
    for (int round = 0; round < 3; ++round) {
      best_without = std::min(best_without, p50_us(argv[1], without, argv[2], 3000));
      best_with = std::min(best_with, p50_us(argv[1], with, argv[2], 3000));
    }
  } catch (const std::exception& error) {
    std::printf("grant_bench: failed (%s): is cgroup-bpf available (mcpsandbox doctor)?\n", error.what());
    return 1;
  }
  std::printf("%-44s %10s\n", "tools/call round trip through mcpsandbox", "p50 (µs)");
  std::printf("%-44s %10.1f\n", "host network, no grant (baseline)", best_without);
  std::printf("%-44s %10.1f\n", "with a connect grant (granted and withdrawn)", best_with);
  std::printf("%-44s %10.1f  (%.2fx the baseline; target <= 20 µs)\n", "added by the grant", best_with - best_without,
              best_with / best_without);
  std::remove(with.c_str());
  std::remove(without.c_str());
  rmdir(dir);
  return 0;
}
