#include "launcher/sandbox/sandbox_init.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

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

// execvp searches the PATH of the calling process, so the sandbox's environment must be the
// process environment, not just the exec's.
[[noreturn]] void exec_with(const std::vector<std::string>& argv,
                            const std::vector<std::pair<std::string, std::string>>& env,
                            int failure_fd, bool as_setup_error) {
  std::vector<std::string> env_storage, argv_storage(argv);
  for (const auto& [name, value] : env) env_storage.push_back(name + "=" + value);
  std::vector<char*> envp = c_strings(env_storage), args = c_strings(argv_storage);
  environ = envp.data();
  ::execvp(args[0], args.data());
  int err = errno;
  if (as_setup_error) {
    SetupError failure = SetupError::from(err, "cannot execute '" + argv[0] + "'", true);
    write_all(failure_fd, &failure, sizeof failure);
  } else {
    write_all(failure_fd, &err, sizeof err);
  }
  ::_exit(127);
}

}  // namespace

void exec_server(const std::vector<std::string>& argv,
                 const std::vector<std::pair<std::string, std::string>>& env, int report_fd) {
  exec_with(argv, env, report_fd, true);
}

void run_sandbox_init(const std::vector<std::string>& argv,
                      const std::vector<std::pair<std::string, std::string>>& env,
                      InitChannels channels) {
  // The server runs as the same uid: without this it could open /proc/1/fd/* and forge our
  // status report.
  ::prctl(PR_SET_DUMPABLE, 0);
  sigset_t waited;
  sigemptyset(&waited);
  sigaddset(&waited, SIGCHLD);
  for (int sig : kForwarded) sigaddset(&waited, sig);
  ::sigprocmask(SIG_BLOCK, &waited, nullptr);

  int exec_report[2];
  if (::pipe2(exec_report, O_CLOEXEC) < 0) {
    SetupError failure = SetupError::from(errno, "init: pipe");
    write_all(channels.report_fd, &failure, sizeof failure);
    ::_exit(125);
  }
  pid_t server = ::fork();
  if (server < 0) {
    SetupError failure = SetupError::from(errno, "init: fork");
    write_all(channels.report_fd, &failure, sizeof failure);
    ::_exit(125);
  }
  if (server == 0) {
    ::close(exec_report[0]);
    ::close(channels.report_fd);
    ::close(channels.status_fd);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    exec_with(argv, env, exec_report[1], false);
  }
  ::close(exec_report[1]);
  int exec_errno = 0;
  ssize_t n;
  do {
    n = ::read(exec_report[0], &exec_errno, sizeof exec_errno);
  } while (n < 0 && errno == EINTR);
  ::close(exec_report[0]);
  if (n == sizeof exec_errno) {
    SetupError failure = SetupError::from(exec_errno, "cannot execute '" + argv[0] + "'", true);
    write_all(channels.report_fd, &failure, sizeof failure);
    ::_exit(127);
  }
  ::close(channels.report_fd);  // the server runs: the launcher sees EOF

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
