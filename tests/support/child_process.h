// ChildProcess: a test's handle on a program under test (usually build/mcpsandbox) with pipes
// on its stdin, stdout and stderr, line reads with timeouts, and cleanup that never leaves a
// process behind.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace mcpsandbox::testing {

using namespace std::chrono_literals;

class ChildProcess {
 public:
  explicit ChildProcess(std::vector<std::string> argv);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // Writes all of `bytes` to the child's stdin (blocking).
  void write(const std::string& bytes);
  void send_line(const std::string& line) { write(line + "\n"); }
  // Writes what the pipe takes without blocking; returns how much that was.
  size_t write_some(const std::string& bytes);
  void close_stdin();
  // Stops reading the child's stdout (a client that went away): its writes fail with EPIPE.
  void close_stdout();
  // The next stdout line (without newline), or nullopt on timeout or EOF.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout = 10s);
  // Reads stdout until EOF (or timeout) and returns every line.
  std::vector<std::string> read_all_lines(std::chrono::milliseconds timeout = 10s);
  // Everything the child wrote to stderr so far (drains the pipe).
  std::string stderr_text();
  // The exit status in shell convention (128+N for signal N), or nullopt on timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout = 10s);
  void signal(int sig);
  // The child's own resident memory (heap, stacks; not the shared libraries' pages), from /proc:
  // what buffering would grow.
  long anon_rss_kib() const;

 private:
  bool fill_stdout(std::chrono::milliseconds timeout);

  pid_t pid_ = -1;
  int stdin_ = -1, stdout_ = -1, stderr_ = -1;
  std::string stdout_buffer_, stderr_buffer_;
  bool stdout_eof_ = false;
  std::optional<int> status_;
};

// Paths to the programs built alongside the tests.
std::string mcpsandbox_binary();
std::string fixture_server_binary();
std::string echo_server_binary();
std::string echo_server_static_binary();
std::string python_server_script();

// A fresh directory under $TMPDIR, removed with its contents at destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::string read_file(const std::string& path);
bool process_exists(pid_t pid);

}  // namespace mcpsandbox::testing
