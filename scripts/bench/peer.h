// Peer: a child process the benchmarks talk to over pipes, one line per message; and the
// percentile helper they report with.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

namespace mcpsandbox::bench {

using Clock = std::chrono::steady_clock;

class Peer {
 public:
  explicit Peer(std::vector<std::string> argv) {
    int in[2], out[2];
    if (pipe(in) || pipe(out)) throw std::runtime_error("pipe");
    pid_ = fork();
    if (pid_ == 0) {
      dup2(in[0], 0);
      dup2(out[1], 1);
      for (int fd : {in[0], in[1], out[0], out[1]}) close(fd);
      std::vector<char*> args;
      for (auto& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
    close(in[0]);
    close(out[1]);
    to_ = in[1];
    from_ = out[0];
  }
  ~Peer() {
    close(to_);
    close(from_);
    int status;
    waitpid(pid_, &status, 0);
  }
  pid_t pid() const { return pid_; }

  void send(const std::string& bytes) {
    for (size_t off = 0; off < bytes.size();) {
      ssize_t n = write(to_, bytes.data() + off, bytes.size() - off);
      if (n <= 0) throw std::runtime_error("write");
      off += static_cast<size_t>(n);
    }
  }
  // Reads one line and returns its length (the bytes themselves are not needed).
  size_t read_line() {
    while (true) {
      auto newline = buffer_.find('\n', scan_);
      if (newline != std::string::npos) {
        size_t length = newline;
        buffer_.erase(0, newline + 1);
        scan_ = 0;
        return length;
      }
      scan_ = buffer_.size();
      char chunk[1 << 16];
      ssize_t n = read(from_, chunk, sizeof chunk);
      if (n <= 0) throw std::runtime_error("peer closed its output");
      buffer_.append(chunk, static_cast<size_t>(n));
    }
  }

 private:
  pid_t pid_;
  int to_, from_;
  std::string buffer_;
  size_t scan_ = 0;
};

inline double percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  return values[static_cast<size_t>(p * (values.size() - 1))];
}

}  // namespace mcpsandbox::bench
