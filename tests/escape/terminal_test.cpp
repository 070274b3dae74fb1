// The user's terminal: run from a shell, mcpsandbox's stderr is the user's pty. The server must
// get no fd on it (to read keystrokes, turn echo off, resize) and nothing it writes may reach
// it as an escape sequence (window title, OSC 52 clipboard). As root, as an ordinary user and
// without user namespaces.
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/escape/escape_harness.h"

namespace mcpsandbox::testing {
namespace {

struct TerminalRun {
  std::optional<nlohmann::json> result;
  std::string terminal;  // everything that reached the pty
  int exit_status = -1;
};

// Runs the probe's terminal attack with mcpsandbox's stderr on a pty that is its controlling
// terminal, as in an interactive shell.
TerminalRun run_on_a_terminal(const std::vector<std::string>& prefix) {
  std::vector<std::string> argv = prefix;
  argv.insert(argv.end(), {mcpsandbox_binary(), "--log-level", "info", "run", "--grace", "200ms",
                           "--", probe_binary(), "terminal"});
  int master = -1, slave = -1, in[2], out[2];
  EXPECT_EQ(openpty(&master, &slave, nullptr, nullptr, nullptr), 0);
  EXPECT_EQ(pipe2(in, O_CLOEXEC), 0);
  EXPECT_EQ(pipe2(out, O_CLOEXEC), 0);
  pid_t pid = fork();
  if (pid == 0) {
    setsid();
    ioctl(slave, TIOCSCTTY, 0);
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(slave, 2);
    std::vector<char*> args;
    for (auto& arg : argv) args.push_back(arg.data());
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  close(slave);
  fcntl(master, F_SETFL, O_NONBLOCK);
  TerminalRun run;
  std::string output;
  char buffer[4096];
  for (bool open = true; open;) {
    pollfd fds[2] = {{out[0], POLLIN, 0}, {master, POLLIN, 0}};
    if (poll(fds, 2, 30000) <= 0) break;
    if (fds[1].revents & POLLIN) {
      ssize_t n = read(master, buffer, sizeof buffer);
      if (n > 0) run.terminal.append(buffer, static_cast<size_t>(n));
    }
    if (fds[0].revents & (POLLIN | POLLHUP)) {
      ssize_t n = read(out[0], buffer, sizeof buffer);
      if (n > 0) output.append(buffer, static_cast<size_t>(n));
      open = n > 0;
    }
  }
  close(in[1]);
  int status = 0;
  waitpid(pid, &status, 0);
  run.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  for (ssize_t n; (n = read(master, buffer, sizeof buffer)) > 0;) run.terminal.append(buffer, static_cast<size_t>(n));
  close(master);
  close(out[0]);
  for (size_t start = 0, end; (end = output.find('\n', start)) != std::string::npos; start = end + 1) {
    if (auto result = probe_report(output.substr(start, end - start), "probe/result")) run.result = result;
  }
  return run;
}

void expect_no_terminal(const std::vector<std::string>& prefix) {
  TerminalRun run = run_on_a_terminal(prefix);
  std::string seen = (run.result ? run.result->dump() : std::string("no result")) + "\nterminal:\n" + run.terminal;
  ASSERT_TRUE(run.result.has_value()) << seen;
  EXPECT_FALSE((*run.result)["ok"].get<bool>()) << seen;
  EXPECT_EQ((*run.result)["errno"], "ENOTTY") << seen;
  EXPECT_NE(run.terminal.find("pwned"), std::string::npos) << "the server's stderr is shown: " << seen;
  EXPECT_EQ(run.terminal.find('\x1b'), std::string::npos) << "no escape byte reaches the terminal: " << seen;
  EXPECT_EQ(run.terminal.find('\x07'), std::string::npos) << seen;
  EXPECT_EQ(run.exit_status, 0) << seen;
}

TEST(Terminal, RootsServerGetsNoFdOnTheUsersTerminalAndSendsItNoEscapes) {
  if (geteuid() != 0) GTEST_SKIP() << "runs mcpsandbox as root: needs root";
  expect_no_terminal({});
}

TEST(Terminal, AnOrdinaryUsersServerGetsNoFdOnTheTerminalAndSendsItNoEscapes) {
  if (geteuid() != 0) GTEST_SKIP() << "switching to an unprivileged uid needs root";
  expect_no_terminal(kAsNobody);
}

TEST(Terminal, WithoutUserNamespacesTheServerGetsNoTerminalEither) {
  expect_no_terminal(kNoUserNamespaces);
}

}  // namespace
}  // namespace mcpsandbox::testing
