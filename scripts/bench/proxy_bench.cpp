// Measures the same MCP workloads against the C++ echo server directly and through
// `mcpsandbox run`, in one run and interleaved (these machines are noisy), and prints ratios:
// sequential round-trip latency (p50, p99), pipelined throughput with 64 requests in flight,
// large results (1 MiB, 16 MiB) in MB/s, and mcpsandbox's idle and peak RSS.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "scripts/bench/peer.h"

namespace {

using mcpsandbox::bench::Clock;
using mcpsandbox::bench::Peer;
using mcpsandbox::bench::percentile;

std::string call(int id) {
  return R"({"jsonrpc":"2.0","id":)" + std::to_string(id) +
         R"(,"method":"tools/call","params":{"name":"echo","arguments":{"text":"benchmark"}}})" "\n";
}

long status_kib(pid_t pid, const char* key) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string word;
  while (status >> word) {
    if (word == key) {
      long kib;
      status >> kib;
      return kib;
    }
  }
  return -1;
}

enum class Path { kDirect, kCopyRelay, kMcpsandbox };

struct Setup {
  std::string self, mcpsandbox, echo_server;
  std::vector<std::string> argv(Path path, size_t result_bytes) const {
    std::vector<std::string> args;
    if (path == Path::kMcpsandbox) args = {mcpsandbox, "run", "--"};
    if (path == Path::kCopyRelay) args = {self, "--copy-relay"};
    args.push_back(echo_server);
    args.push_back(std::to_string(result_bytes));
    return args;
  }
};

struct Latency {
  double p50_us, p99_us;
};

Latency sequential(const Setup& setup, Path path, int count) {
  Peer peer(setup.argv(path, 16));
  std::vector<double> samples;
  for (int i = 0; i < count + 500; ++i) {
    auto start = Clock::now();
    peer.send(call(i));
    peer.read_line();
    double us = std::chrono::duration<double, std::micro>(Clock::now() - start).count();
    if (i >= 500) samples.push_back(us);  // the first rounds warm caches and the scheduler
  }
  return {percentile(samples, 0.5), percentile(samples, 0.99)};
}

double pipelined_per_second(const Setup& setup, Path path, int count, int in_flight) {
  Peer peer(setup.argv(path, 16));
  auto start = Clock::now();
  int sent = 0, received = 0;
  std::string burst;
  while (received < count) {
    burst.clear();
    while (sent < count && sent - received < in_flight) burst += call(sent++);
    if (!burst.empty()) peer.send(burst);
    peer.read_line();
    ++received;
  }
  return count / std::chrono::duration<double>(Clock::now() - start).count();
}

struct LargeResult {
  double mb_per_s;
  long peak_rss_kib;
};

LargeResult large_results(const Setup& setup, Path path, size_t bytes, int count) {
  Peer peer(setup.argv(path, bytes));
  peer.send(call(-1));
  peer.read_line();
  auto start = Clock::now();
  size_t total = 0;
  for (int i = 0; i < count; ++i) {
    peer.send(call(i));
    total += peer.read_line();
  }
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return {total / seconds / 1e6, path == Path::kMcpsandbox ? status_kib(peer.pid(), "VmHWM:") : 0};
}

long idle_rss_kib(const Setup& setup) {
  Peer peer(setup.argv(Path::kMcpsandbox, 16));
  for (int i = 0; i < 100; ++i) {
    peer.send(call(i));
    peer.read_line();
  }
  usleep(100000);
  return status_kib(peer.pid(), "VmRSS:");
}

template <typename Measure>
auto best_of(int rounds, Measure measure, bool higher_is_better) {
  auto best = measure();
  for (int i = 1; i < rounds; ++i) {
    auto next = measure();
    if (higher_is_better ? next > best : next < best) best = next;
  }
  return best;
}

// The floor for any stdio proxy: a process that copies bytes both ways with no parsing at
// all. Comparing with it separates the cost of the extra process hop (wake-ups, copies) from
// the cost of what mcpsandbox does with each message.
int copy_relay(char** command) {
  int in[2], out[2];
  if (pipe(in) || pipe(out)) return 1;
  for (int fd : {in[0], out[0]}) fcntl(fd, F_SETPIPE_SZ, 1 << 20);
  for (int fd : {0, 1}) fcntl(fd, F_SETPIPE_SZ, 1 << 20);
  pid_t child = fork();
  if (child == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    for (int fd : {in[0], in[1], out[0], out[1]}) close(fd);
    execv(command[0], command);
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  std::vector<char> buffer(1 << 20);
  pollfd fds[2] = {{0, POLLIN, 0}, {out[0], POLLIN, 0}};
  while (poll(fds, 2, -1) > 0) {
    for (int i = 0; i < 2; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP))) continue;
      ssize_t n = read(fds[i].fd, buffer.data(), buffer.size());
      if (n <= 0) {
        if (i == 0) {
          close(in[1]);
          fds[0].fd = -1;
          continue;
        }
        waitpid(child, nullptr, 0);
        return 0;
      }
      int to = i == 0 ? in[1] : 1;
      for (ssize_t off = 0; off < n;) {
        ssize_t w = write(to, buffer.data() + off, static_cast<size_t>(n - off));
        if (w <= 0) return 1;
        off += w;
      }
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 3 && std::string(argv[1]) == "--copy-relay") return copy_relay(argv + 2);
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s <mcpsandbox> <echo_server>\n", argv[0]);
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  Setup setup{argv[0], argv[1], argv[2]};
  constexpr int kRounds = 3;
  const Path paths[] = {Path::kDirect, Path::kCopyRelay, Path::kMcpsandbox};

  std::printf("%-26s %12s %12s %12s %16s %16s\n", "workload", "direct", "copy relay",
              "mcpsandbox", "vs direct", "vs copy relay");
  // Each round measures the three paths back to back; the best of the rounds is kept, so a
  // noisy neighbour in one round does not decide the figure.
  Latency latency[3] = {{1e9, 1e9}, {1e9, 1e9}, {1e9, 1e9}};
  for (int r = 0; r < kRounds; ++r) {
    for (int i = 0; i < 3; ++i) {
      Latency l = sequential(setup, paths[i], 5000);
      if (l.p50_us < latency[i].p50_us) latency[i] = l;
    }
  }
  auto print_latency = [&](const char* label, double Latency::*field) {
    double d = latency[0].*field, c = latency[1].*field, m = latency[2].*field;
    std::printf("%-26s %9.1f us %9.1f us %9.1f us %+13.1f us %+13.1f us\n", label, d, c, m, m - d,
                m - c);
  };
  print_latency("round trip p50", &Latency::p50_us);
  print_latency("round trip p99", &Latency::p99_us);

  double rate[3] = {0, 0, 0};
  for (int r = 0; r < kRounds; ++r) {
    for (int i = 0; i < 3; ++i) {
      rate[i] = std::max(rate[i], pipelined_per_second(setup, paths[i], 100000, 64));
    }
  }
  std::printf("%-26s %10.0f/s %10.0f/s %10.0f/s %15.2fx %15.2fx\n", "pipelined, 64 in flight",
              rate[0], rate[1], rate[2], rate[2] / rate[0], rate[2] / rate[1]);

  long peak = 0;
  struct LargeCase {
    size_t bytes;
    int count;
    const char* label;
  };
  for (auto [bytes, count, label] : {LargeCase{size_t{1} << 20, 200, "1 MiB results"},
                                     LargeCase{size_t{16} << 20, 20, "16 MiB results"}}) {
    double mbs[3] = {0, 0, 0};
    for (int r = 0; r < kRounds; ++r) {
      for (int i = 0; i < 3; ++i) {
        LargeResult result = large_results(setup, paths[i], bytes, count);
        mbs[i] = std::max(mbs[i], result.mb_per_s);
        peak = std::max(peak, result.peak_rss_kib);
      }
    }
    std::printf("%-26s %7.0f MB/s %7.0f MB/s %7.0f MB/s %15.2fx %15.2fx\n", label, mbs[0], mbs[1],
                mbs[2], mbs[2] / mbs[0], mbs[2] / mbs[1]);
  }
  std::printf("%-26s %38.1f MB\n", "mcpsandbox RSS, idle", idle_rss_kib(setup) / 1024.0);
  std::printf("%-26s %38.1f MB\n", "mcpsandbox RSS, peak", peak / 1024.0);
  return 0;
}
