// Sandbox start-up cost and seccomp's per-syscall cost, measured in one run against baselines:
// `/bin/true` direct, through `mcpsandbox run`, and through bubblewrap with a comparable
// isolation set (all namespaces, fresh /proc /dev /tmp, read-only /usr, no capabilities, seccomp
// left out because bwrap takes only a precompiled filter). Then a getppid() loop direct and
// inside mcpsandbox (seccomp filter + Landlock), in ns per call.
#include <fcntl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

// Runs argv with stdin and stdout on /dev/null; returns the wall time in ms, or -1.
double run_once(const std::vector<std::string>& argv, std::string* stderr_out = nullptr) {
  int err[2];
  if (pipe(err) < 0) return -1;
  auto start = Clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    int null = open("/dev/null", O_RDWR);
    dup2(null, 0);
    dup2(null, 1);
    dup2(err[1], 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(err[1]);
  char buffer[4096];
  ssize_t n;
  while ((n = read(err[0], buffer, sizeof buffer)) > 0) {
    if (stderr_out) stderr_out->append(buffer, static_cast<size_t>(n));
  }
  close(err[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? ms : -1;
}

struct Stats {
  double median = -1, p90 = -1;
};

Stats measure(const std::vector<std::string>& argv, int runs) {
  std::vector<double> samples;
  for (int i = 0; i < runs; ++i) {
    double ms = run_once(argv);
    if (ms < 0) return {};
    samples.push_back(ms);
  }
  std::sort(samples.begin(), samples.end());
  return {samples[samples.size() / 2], samples[samples.size() * 9 / 10]};
}

int syscall_loop() {
  constexpr int kCalls = 2000000;
  timespec start{}, end{};
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (int i = 0; i < kCalls; ++i) getppid();
  clock_gettime(CLOCK_MONOTONIC, &end);
  double ns = ((end.tv_sec - start.tv_sec) * 1e9 + (end.tv_nsec - start.tv_nsec)) / kCalls;
  std::fprintf(stderr, "ns_per_call=%.1f\n", ns);
  return 0;
}

double ns_per_call(const std::vector<std::string>& argv) {
  std::string text;
  if (run_once(argv, &text) < 0) return -1;
  auto at = text.find("ns_per_call=");
  return at == std::string::npos ? -1 : std::stod(text.substr(at + 12));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::string(argv[1]) == "--syscall-loop") return syscall_loop();
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <mcpsandbox>\n", argv[0]);
    return 2;
  }
  std::string mcpsandbox = argv[1], self = argv[0];
  constexpr int kRuns = 40;
  std::vector<std::string> bwrap = {"/usr/bin/bwrap", "--unshare-all", "--die-with-parent",
                                    "--new-session", "--ro-bind", "/usr", "/usr",
                                    "--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib",
                                    "--symlink", "usr/lib64", "/lib64", "--ro-bind", "/etc/ld.so.cache",
                                    "/etc/ld.so.cache", "--proc", "/proc", "--dev", "/dev",
                                    "--tmpfs", "/tmp", "--cap-drop", "ALL", "/bin/true"};
  Stats direct{}, sandboxed{}, uncapped{}, bubblewrap{}, egress{}, traced{};
  // Interleaved rounds so that a noisy moment hits all three alike.
  for (int round = 0; round < 3; ++round) {
    Stats d = measure({"/bin/true"}, kRuns);
    Stats m = measure({mcpsandbox, "--log-level", "error", "run", "--", "/bin/true"}, kRuns);
    Stats b = measure(bwrap, kRuns);
    // bwrap has no resource limits: this row is the like-for-like comparison.
    Stats u = measure({mcpsandbox, "--log-level", "error", "run", "--testing-disable-layer",
                       "cgroups", "--", "/bin/true"},
                      kRuns);
    if (u.median >= 0 && (uncapped.median < 0 || u.median < uncapped.median)) uncapped = u;
    // The eBPF layers that work on this host: L4 (host network) and L7 (--trace).
    Stats e = measure({mcpsandbox, "--log-level", "error", "run", "--network", "host",
                       "--allow-net", "127.0.0.1:1", "--", "/bin/true"},
                      kRuns / 4);
    Stats t = measure({mcpsandbox, "--log-level", "error", "run", "--trace", "--", "/bin/true"},
                      kRuns / 4);
    if (e.median >= 0 && (egress.median < 0 || e.median < egress.median)) egress = e;
    if (t.median >= 0 && (traced.median < 0 || t.median < traced.median)) traced = t;
    if (direct.median < 0 || d.median < direct.median) direct = d;
    if (m.median >= 0 && (sandboxed.median < 0 || m.median < sandboxed.median)) sandboxed = m;
    if (b.median >= 0 && (bubblewrap.median < 0 || b.median < bubblewrap.median)) bubblewrap = b;
  }
  std::printf("%-34s %12s %12s\n", "start-up of /bin/true", "median", "p90");
  std::printf("%-34s %9.2f ms %9.2f ms\n", "direct", direct.median, direct.p90);
  std::printf("%-34s %9.2f ms %9.2f ms   (adds %.2f ms)\n", "mcpsandbox run (all layers)",
              sandboxed.median, sandboxed.p90, sandboxed.median - direct.median);
  std::printf("%-34s %9.2f ms %9.2f ms   (adds %.2f ms)\n", "mcpsandbox run, no cgroup limits",
              uncapped.median, uncapped.p90, uncapped.median - direct.median);
  if (egress.median >= 0) {
    std::printf("%-34s %9.2f ms %9.2f ms   (adds %.2f ms)\n", "mcpsandbox run, L4 cgroup-bpf",
                egress.median, egress.p90, egress.median - direct.median);
  }
  if (traced.median >= 0) {
    std::printf("%-34s %9.2f ms %9.2f ms   (adds %.2f ms)\n", "mcpsandbox run, L7 --trace",
                traced.median, traced.p90, traced.median - direct.median);
  }
  if (bubblewrap.median >= 0) {
    std::printf("%-34s %9.2f ms %9.2f ms   (adds %.2f ms)\n", "bwrap (comparable isolation)",
                bubblewrap.median, bubblewrap.p90, bubblewrap.median - direct.median);
  } else {
    std::printf("%-34s %s\n", "bwrap", "not available (apt-get install bubblewrap)");
  }
  double plain = ns_per_call({self, "--syscall-loop"});
  double filtered = ns_per_call({mcpsandbox, "--log-level", "error", "run", "--ro",
                                 self.substr(0, self.rfind('/')), "--", self, "--syscall-loop"});
  std::printf("%-34s %9.1f ns %9.1f ns   (seccomp adds %.1f ns per call)\n",
              "getppid() direct / sandboxed", plain, filtered, filtered - plain);
  return 0;
}
