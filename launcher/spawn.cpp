#include "launcher/spawn.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "launcher/sandbox/sandbox_child.h"
#include "launcher/sandbox/setup_error.h"

namespace mcpsandbox {
namespace {

constexpr int kPipeBytes = 1 << 20;

struct Pipe {
  UniqueFd read, write;
};

std::optional<Pipe> make_pipe(bool large = false) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) < 0) return std::nullopt;
  // A 16 MiB result through the default 64 KiB pipe costs 256 wake-ups; 1 MiB (the default
  // unprivileged maximum) cuts that sixteenfold. Best effort: a lower limit is not an error.
  if (large) ::fcntl(fds[0], F_SETPIPE_SZ, kPipeBytes);
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream file(path);
  file << text;
  file.flush();
  return static_cast<bool>(file);
}

// The sandbox's uid and gid are the invoker's own, mapped 1:1: files the invoker owns inside
// granted paths stay accessible, and nothing else is mapped.
bool write_id_maps(pid_t child, std::string& error) {
  std::string proc = "/proc/" + std::to_string(child);
  std::string uid = std::to_string(::getuid()), gid = std::to_string(::getgid());
  if (!write_file(proc + "/uid_map", uid + " " + uid + " 1\n")) {
    error = "write uid_map";
    return false;
  }
  if (!write_file(proc + "/setgroups", "deny\n") ||
      !write_file(proc + "/gid_map", gid + " " + gid + " 1\n")) {
    error = "write gid_map";
    return false;
  }
  return true;
}

uint64_t clone_flags(const SpawnRequest& request) {
  uint64_t flags = CLONE_PIDFD;
  if (request.layers.namespaces) {
    flags |= CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS |
             CLONE_NEWCGROUP;
    if (request.plan.isolate_network) flags |= CLONE_NEWNET;
  }
  if (request.cgroup_fd >= 0) flags |= CLONE_INTO_CGROUP;
  return flags;
}

// Threads of this process, from /proc/self/task; 0 if it cannot be read.
size_t count_threads() {
  DIR* tasks = ::opendir("/proc/self/task");
  if (!tasks) return 0;
  size_t count = 0;
  while (dirent* entry = ::readdir(tasks)) count += entry->d_name[0] != '.';
  ::closedir(tasks);
  return count;
}

}  // namespace

std::optional<SpawnedServer> Spawner::spawn(const SpawnRequest& request, SpawnFailure& failure) {
  if (request.plan.argv.empty()) {
    failure.message = "no server command given";
    return std::nullopt;
  }
  // The server's stderr is always a pipe the relay reads, never ours: ours may be the user's
  // terminal, whose keystrokes, echo setting and escape sequences are not the server's.
  auto in = make_pipe(), out = make_pipe(true), err = make_pipe(), report = make_pipe(),
       go = make_pipe(), status = make_pipe();
  if (!in || !out || !err || !report || !go || !status) {
    failure.message = std::string("pipe2: ") + std::strerror(errno);
    return std::nullopt;
  }

  // The child builds its mount tree with malloc before exec: a lock another thread held at
  // clone time would stay held forever in the child. So there must be no other thread.
  if (size_t threads = count_threads(); threads > 1) {
    failure.message = "cannot start the sandbox while " + std::to_string(threads) +
                      " threads run in the launcher (its child could deadlock on their locks)";
    return std::nullopt;
  }
  int pidfd = -1;
  clone_args args{};
  args.flags = clone_flags(request);
  args.pidfd = reinterpret_cast<uint64_t>(&pidfd);
  args.exit_signal = SIGCHLD;
  if (request.cgroup_fd >= 0) args.cgroup = static_cast<uint64_t>(request.cgroup_fd);
  long pid = ::syscall(SYS_clone3, &args, sizeof args);
  if (pid < 0) {
    failure.message = std::string("clone3: ") + std::strerror(errno);
    return std::nullopt;
  }
  if (pid == 0) {
    sandbox_child_main({request.plan, request.layers, in->read.get(), out->write.get(),
                        err->write.get(), go->read.get(), report->write.get(),
                        status->write.get()});
  }

  SpawnedServer server;
  server.pid = static_cast<pid_t>(pid);
  server.pidfd.reset(pidfd);
  report->write.reset();
  status->write.reset();
  go->read.reset();
  std::string map_error;
  if (request.layers.namespaces && !write_id_maps(server.pid, map_error)) {
    failure.message = "user namespace: " + map_error + ": " + std::strerror(errno);
    ::kill(server.pid, SIGKILL);
    ::waitpid(server.pid, nullptr, 0);
    return std::nullopt;
  }
  if (request.before_start) {
    if (auto ready = request.before_start(server.pid); !ready) {
      failure.message = ready.error().message;
      ::kill(server.pid, SIGKILL);
      ::waitpid(server.pid, nullptr, 0);
      return std::nullopt;
    }
  }
  (void)!::write(go->write.get(), "g", 1);
  go->write.reset();

  SetupError setup{};
  ssize_t n;
  do {
    n = ::read(report->read.get(), &setup, sizeof setup);
  } while (n < 0 && errno == EINTR);
  if (n == sizeof setup) {
    ::kill(server.pid, SIGKILL);
    ::waitpid(server.pid, nullptr, 0);
    failure.exec_failed = setup.exec_failed != 0;
    failure.message = failure.exec_failed ? setup.describe()
                                          : "sandbox setup failed: " + setup.describe();
    return std::nullopt;
  }
  server.stdin_write = std::move(in->write);
  server.stdout_read = std::move(out->read);
  server.stderr_read = std::move(err->read);
  server.status_read = std::move(status->read);
  return server;
}

}  // namespace mcpsandbox
