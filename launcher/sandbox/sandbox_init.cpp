#include "launcher/sandbox/sandbox_init.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "launcher/sandbox/setup_error.h"

extern char** environ;

namespace mcpsandbox {
namespace {

constexpr int kForwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};

void write_all(int fd, const void* data, size_t size) {
  const char* bytes = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::write(fd, bytes, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    bytes += n;
    size -= static_cast<size_t>(n);
  }
}

std::vector<char*> c_strings(std::vector<std::string>& storage) {
  std::vector<char*> out;
  for (auto& s : storage) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// argv and environment as the C arrays exec wants, built before any fork: the vfork child
// below may not allocate.
struct ExecArguments {
  ExecArguments(const std::vector<std::string>& argv,
                const std::vector<std::pair<std::string, std::string>>& env)
      : argv_storage(argv) {
    for (const auto& [name, value] : env) env_storage.push_back(name + "=" + value);
    args = c_strings(argv_storage);
    envp = c_strings(env_storage);
  }
  std::vector<std::string> argv_storage, env_storage;
  std::vector<char*> args, envp;
};

// Init is a fork of the launcher, so its argument and environment areas still hold the
// launcher's (profile, grants, key-file paths, the user's whole environment), and anyone in the
// sandbox can read /proc/1/cmdline. Blanked in place; the addresses come from /proc/self/stat
// (fields 48-51), the one place that names them without a global.
void hide_launcher_arguments() {
  int fd = ::open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  char text[2048];
  ssize_t n = ::read(fd, text, sizeof text - 1);
  ::close(fd);
  if (n <= 0) return;
  text[n] = '\0';
  const char* fields = std::strrchr(text, ')');  // the command name may hold spaces
  if (!fields) return;
  unsigned long area[4] = {};  // arg_start, arg_end, env_start, env_end
  int field = 2;
  for (const char* at = fields + 1; *at && field < 51; ++at) {
    if (*at != ' ') continue;
    ++field;
    if (field >= 48) area[field - 48] = std::strtoul(at + 1, nullptr, 10);
  }
  for (int i = 0; i < 4; i += 2) {
    if (area[i] && area[i + 1] > area[i]) std::memset(reinterpret_cast<void*>(area[i]), 0, area[i + 1] - area[i]);
  }
  static constexpr char kName[] = "mcpsandbox-init";
  if (area[1] - area[0] >= sizeof kName) std::memcpy(reinterpret_cast<void*>(area[0]), kName, sizeof kName);
}

}  // namespace

void exec_server(const std::vector<std::string>& argv,
                 const std::vector<std::pair<std::string, std::string>>& env, int report_fd) {
  ExecArguments prepared(argv, env);
  environ = prepared.envp.data();
  ::execvp(prepared.args[0], prepared.args.data());
  SetupError failure = SetupError::from(errno, "cannot execute '" + argv[0] + "'", true);
  write_all(report_fd, &failure, sizeof failure);
  ::_exit(127);
}

void run_sandbox_init(const std::vector<std::string>& argv,
                      const std::vector<std::pair<std::string, std::string>>& env,
                      InitChannels channels) {
  // The server runs as the same uid: without this it could open /proc/1/fd/* and forge our
  // status report.
  ::prctl(PR_SET_DUMPABLE, 0);
  hide_launcher_arguments();
  sigset_t waited;
  sigemptyset(&waited);
  sigaddset(&waited, SIGCHLD);
  for (int sig : kForwarded) sigaddset(&waited, sig);
  ::sigprocmask(SIG_BLOCK, &waited, nullptr);

  // vfork: the child shares our memory until it execs, so the launcher's address space that
  // this init inherited is not copied a second time. The parent resumes only after the exec
  // (or the child's exit), and the shared errno variable then tells a failed exec apart.
  ExecArguments prepared(argv, env);
  sigset_t none;
  sigemptyset(&none);
  volatile int exec_errno = 0;
  pid_t server = ::vfork();
  if (server == 0) {
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    environ = prepared.envp.data();
    ::execvp(prepared.args[0], prepared.args.data());
    exec_errno = errno;
    ::_exit(127);
  }
  if (server < 0 || exec_errno != 0) {
    bool exec_failed = server >= 0;
    SetupError failure = exec_failed
                             ? SetupError::from(exec_errno, "cannot execute '" + argv[0] + "'", true)
                             : SetupError::from(errno, "init: vfork");
    write_all(channels.report_fd, &failure, sizeof failure);
    ::_exit(exec_failed ? 127 : 125);
  }
  ::close(channels.report_fd);  // the server runs: the launcher sees EOF
  // Init speaks only through its status pipe. Holding the protocol pipes would hide the
  // server's end of them: a server that closes its stdout (or dies leaving none) must look
  // closed to the relay.
  ::close(STDIN_FILENO);
  ::close(STDOUT_FILENO);

  while (true) {
    siginfo_t info{};
    if (::sigwaitinfo(&waited, &info) < 0) continue;
    if (info.si_signo != SIGCHLD) {
      ::kill(server, info.si_signo);
      continue;
    }
    int status = 0;
    pid_t reaped;
    while ((reaped = ::waitpid(-1, &status, WNOHANG)) > 0) {
      if (reaped == server) {
        write_all(channels.status_fd, &status, sizeof status);
        // Leaving pid 1 ends the namespace: the kernel kills whatever the server left behind.
        ::_exit(0);
      }
    }
  }
}

}  // namespace mcpsandbox
