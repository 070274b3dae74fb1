// Call-scoped grants' added latency per call (issue #9; target: at most 20 µs at p50). The same
// tools/call round trip through `mcpsandbox run`, each mechanism against its own baseline, in
// one run (best of three rounds, interleaved):
// - connect grant: host network, no destination; the URL argument resolved and written into a
//   cgroup-bpf grant slot before forwarding, cleared when the answer passes;
// - file grant: a call-scoped project, the path argument granted (BPF LSM entries where BPF LSM
//   runs, else a per-call bind mount) against the same profile without `call_scoped`;
// - out-of-band denial: the sandbox thawed for each call and frozen after it.
// Needs root (cgroup-bpf, mounts, cgroup.freeze).
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "scripts/bench/peer.h"

namespace {

using mcpsandbox::bench::Clock;
using mcpsandbox::bench::Peer;
using mcpsandbox::bench::percentile;

std::string call(int id, const std::string& arguments) {
  return R"({"jsonrpc":"2.0","id":)" + std::to_string(id) +
         R"(,"method":"tools/call","params":{"name":"echo","arguments":)" + arguments + "}}\n";
}

double p50_us(const std::string& mcpsandbox, const std::string& profile, const std::string& echo_server,
              const std::string& arguments, int count) {
  Peer peer({mcpsandbox, "--log-level", "error", "run", "--profile", profile, "--", echo_server, "16"});
  std::vector<double> samples;
  for (int i = 0; i < count + 300; ++i) {
    auto start = Clock::now();
    peer.send(call(i, arguments));
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
  // Beside the build, not in /tmp: the sandbox mounts a private /tmp over it.
  std::string dir = std::string(getenv("HOME") ? getenv("HOME") : "/root") + "/.mcpsandbox-grant-bench";
  std::filesystem::create_directories(dir + "/project");
  std::ofstream(dir + "/project/file.txt") << "data\n";
  auto profile = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir + "/" + name) << text;
    return dir + "/" + name;
  };
  std::string fs = R"("filesystem": {"rw": [")" + dir + R"(/project"])";
  struct Case {
    const char* baseline_name;
    const char* grant_name;
    std::string baseline, granted, arguments;
  } cases[] = {
      {"host network, no grant", "with a connect grant",
       profile("net.json", R"({"network": {"mode": "host", "allow": []}})"),
       profile("net-grant.json", R"({"network": {"mode": "host", "allow": []},
                                     "tools": {"echo": {"grants": {"url": "connect"}}}})"),
       R"({"url":"http://93.184.215.14:8080/x"})"},  // public: internal addresses are refused
      {"project readable, no call_scoped", "call_scoped, the path granted",
       profile("fs.json", "{" + fs + R"(}, "tools": {"echo": {"grants": {"path": "read"}}}})"),
       profile("fs-grant.json", "{" + fs + R"(, "call_scoped": [")" + dir + R"(/project"]},
                                 "tools": {"echo": {"grants": {"path": "read"}}}})"),
       R"({"path":")" + dir + R"(/project/file.txt"})"},
      {"out_of_band allowed", "out_of_band denied (freeze/thaw)", profile("oob.json", "{}"),
       profile("oob-deny.json", R"({"hardening": {"out_of_band": "deny"}})"), "{}"},
  };
  std::printf("%-36s %12s %12s %10s\n", "tools/call round trip (p50, µs)", "baseline", "with", "added");
  for (const Case& bench : cases) {
    double best_with = 1e9, best_without = 1e9;
    try {
      for (int round = 0; round < 3; ++round) {
        best_without = std::min(best_without, p50_us(argv[1], bench.baseline, argv[2], bench.arguments, 2000));
        best_with = std::min(best_with, p50_us(argv[1], bench.granted, argv[2], bench.arguments, 2000));
      }
    } catch (const std::exception& error) {
      std::printf("%s: failed (%s): see mcpsandbox doctor\n", bench.grant_name, error.what());
      continue;
    }
    std::printf("%-36s %12.1f %12.1f %10.1f  (%.2fx; %s vs %s)\n", bench.grant_name, best_without, best_with,
                best_with - best_without, best_with / best_without, bench.grant_name, bench.baseline_name);
  }
  std::printf("target: a grant adds at most 20 µs at p50\n");
  std::filesystem::remove_all(dir);
  return 0;
}
