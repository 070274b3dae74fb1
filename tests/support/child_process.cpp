#include "tests/support/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace mcpsandbox::testing {
namespace {

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::max<long long>(0, left.count()));
}

}  // namespace

ChildProcess::ChildProcess(std::vector<std::string> argv) {
  int in[2], out[2], err[2];
  if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) {
    throw std::runtime_error("pipe2 failed");
  }
  pid_ = fork();
  if (pid_ == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(126);
  }
  close(in[0]);
  close(out[1]);
  close(err[1]);
  stdin_ = in[1];
  stdout_ = out[0];
  stderr_ = err[0];
  fcntl(stderr_, F_SETFL, O_NONBLOCK);
}

ChildProcess::~ChildProcess() {
  if (!status_) {
    ::kill(pid_, SIGKILL);
    wait(5s);
  }
  for (int fd : {stdin_, stdout_, stderr_}) {
    if (fd >= 0) close(fd);
  }
}

void ChildProcess::write(const std::string& bytes) {
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = ::write(stdin_, bytes.data() + off, bytes.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error(std::string("write to child: ") + strerror(errno));
    off += static_cast<size_t>(n);
  }
}

size_t ChildProcess::write_some(const std::string& bytes) {
  int flags = fcntl(stdin_, F_GETFL);
  fcntl(stdin_, F_SETFL, flags | O_NONBLOCK);
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = ::write(stdin_, bytes.data() + off, bytes.size() - off);
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
  fcntl(stdin_, F_SETFL, flags);
  return off;
}

void ChildProcess::close_stdin() {
  if (stdin_ >= 0) close(stdin_);
  stdin_ = -1;
}

void ChildProcess::close_stdout() {
  if (stdout_ >= 0) close(stdout_);
  stdout_ = -1;
  stdout_eof_ = true;
}

bool ChildProcess::fill_stdout(std::chrono::milliseconds timeout) {
  pollfd p{stdout_, POLLIN, 0};
  if (poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
  char buf[1 << 16];
  ssize_t n = read(stdout_, buf, sizeof buf);
  if (n <= 0) {
    stdout_eof_ = true;
    return false;
  }
  stdout_buffer_.append(buf, static_cast<size_t>(n));
  return true;
}

std::optional<std::string> ChildProcess::read_line(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (true) {
    auto newline = stdout_buffer_.find('\n');
    if (newline != std::string::npos) {
      std::string line = stdout_buffer_.substr(0, newline);
      stdout_buffer_.erase(0, newline + 1);
      return line;
    }
    if (stdout_eof_ || Clock::now() >= deadline) return std::nullopt;
    fill_stdout(std::chrono::milliseconds(remaining_ms(deadline)));
  }
}

std::vector<std::string> ChildProcess::read_all_lines(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  std::vector<std::string> lines;
  while (auto line = read_line(std::chrono::milliseconds(remaining_ms(deadline)))) {
    lines.push_back(*line);
  }
  return lines;
}

std::string ChildProcess::stderr_text() {
  char buf[4096];
  ssize_t n;
  while ((n = read(stderr_, buf, sizeof buf)) > 0) stderr_buffer_.append(buf, n);
  return stderr_buffer_;
}

std::optional<int> ChildProcess::wait(std::chrono::milliseconds timeout) {
  if (status_) return status_;
  auto deadline = Clock::now() + timeout;
  while (true) {
    int raw = 0;
    pid_t r = waitpid(pid_, &raw, WNOHANG);
    if (r == pid_) {
      status_ = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
      return status_;
    }
    if (Clock::now() >= deadline) return std::nullopt;
    usleep(2000);
  }
}

void ChildProcess::signal(int sig) { ::kill(pid_, sig); }

long ChildProcess::anon_rss_kib() const {
  std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
  std::string key;
  while (status >> key) {
    if (key == "RssAnon:") {
      long value;
      status >> value;
      return value;
    }
  }
  return -1;
}

std::string mcpsandbox_binary() { return MCPSANDBOX_TEST_BINARY; }
std::string fixture_server_binary() { return FIXTURE_SERVER_BINARY; }
std::string echo_server_binary() { return ECHO_SERVER_BINARY; }
std::string echo_server_static_binary() { return ECHO_SERVER_STATIC_BINARY; }
std::string python_server_script() { return PYTHON_SERVER_SCRIPT; }

TempDir::TempDir() {
  const char* base = getenv("TMPDIR");
  std::string pattern = std::string(base ? base : "/tmp") + "/mcpsandbox-test-XXXXXX";
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string read_file(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

bool process_exists(pid_t pid) {
  if (::kill(pid, 0) != 0) return false;
  // A zombie still answers kill(0); it is gone in every sense that matters here.
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  auto close_paren = text.rfind(')');
  return close_paren != std::string::npos && close_paren + 2 < text.size() &&
         text[close_paren + 2] != 'Z';
}

}  // namespace mcpsandbox::testing
