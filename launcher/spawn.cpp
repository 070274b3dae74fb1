#include "launcher/spawn.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <linux/sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mcpsandbox {
namespace {

constexpr int kPipeBytes = 1 << 20;

struct Pipe {
  UniqueFd read, write;
};

std::optional<Pipe> make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) < 0) return std::nullopt;
  // A 16 MiB result through the default 64 KiB pipe costs 256 wake-ups; 1 MiB (the default
  // unprivileged maximum) cuts that sixteenfold. Best effort: a lower limit is not an error.
  ::fcntl(fds[0], F_SETPIPE_SZ, kPipeBytes);
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

// Runs in the child between clone3 and exec. Only async-signal-safe calls: the parent may
// have had other threads (libraries), and this is a fork-like copy.
[[noreturn]] void exec_child(char* const* argv, pid_t parent,
                             int stdin_fd, int stdout_fd, int stderr_fd, int report_fd) {
  auto fail = [&](int err) {
    (void)!::write(report_fd, &err, sizeof err);
    ::_exit(127);
  };
  // If mcpsandbox dies, the server goes with it; then re-check in case it already died.
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) fail(errno);
  if (::getppid() != parent) ::_exit(127);
  // Its own session: no controlling terminal to inject into, and one process group to signal.
  if (::setsid() < 0) fail(errno);
  if (::dup2(stdin_fd, 0) < 0 || ::dup2(stdout_fd, 1) < 0) fail(errno);
  if (stderr_fd >= 0 && ::dup2(stderr_fd, 2) < 0) fail(errno);
  // Nothing of the launcher's leaks into the server but the three stdio fds. CLOEXEC rather
  // than close, so the exec-failure report fd stays usable until the exec succeeds.
  if (::syscall(SYS_close_range, 3u, ~0u, CLOSE_RANGE_CLOEXEC) < 0) fail(errno);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD}) ::signal(sig, SIG_DFL);
  ::execvp(argv[0], argv);
  fail(errno);
  ::_exit(127);
}

}  // namespace

std::optional<SpawnedServer> Spawner::spawn(const SpawnRequest& request, SpawnFailure& failure) {
  if (request.argv.empty()) {
    failure.message = "no server command given";
    return std::nullopt;
  }
  auto in = make_pipe(), out = make_pipe(), report = make_pipe();
  std::optional<Pipe> err;
  if (request.capture_stderr) err = make_pipe();
  if (!in || !out || !report || (request.capture_stderr && !err)) {
    failure.message = std::string("pipe2: ") + std::strerror(errno);
    return std::nullopt;
  }
  std::vector<char*> argv;
  for (const std::string& arg : request.argv) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);

  int pidfd = -1;
  clone_args args{};
  args.flags = CLONE_PIDFD;
  args.pidfd = reinterpret_cast<uint64_t>(&pidfd);
  args.exit_signal = SIGCHLD;
  pid_t parent = ::getpid();
  long pid = ::syscall(SYS_clone3, &args, sizeof args);
  if (pid < 0) {
    failure.message = std::string("clone3: ") + std::strerror(errno);
    return std::nullopt;
  }
  if (pid == 0) {
    exec_child(argv.data(), parent, in->read.get(), out->write.get(),
               err ? err->write.get() : -1, report->write.get());
  }

  SpawnedServer server;
  server.pid = static_cast<pid_t>(pid);
  server.pidfd.reset(pidfd);
  report->write.reset();
  int exec_errno = 0;
  ssize_t n;
  do {
    n = ::read(report->read.get(), &exec_errno, sizeof exec_errno);
  } while (n < 0 && errno == EINTR);
  if (n == sizeof exec_errno) {
    ::waitpid(server.pid, nullptr, 0);
    failure.exec_errno = exec_errno;
    failure.message = "cannot execute '" + request.argv[0] + "': " + std::strerror(exec_errno);
    return std::nullopt;
  }
  server.stdin_write = std::move(in->write);
  server.stdout_read = std::move(out->read);
  if (err) server.stderr_read = std::move(err->read);
  return server;
}

}  // namespace mcpsandbox
