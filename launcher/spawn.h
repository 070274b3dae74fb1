// Spawning the MCP server: clone3 (so later layers can add namespace flags and get a pidfd in
// one step), pipes for its stdio, and an exec-failure channel so "command not found" is a clear
// message and exit status 127 rather than a silent child death.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "profiles/support/result.h"
#include "proxy/io/unique_fd.h"

namespace mcpsandbox {

struct SpawnRequest {
  std::vector<std::string> argv;
  // Capture the server's stderr in a pipe (for --log-file); otherwise it shares ours.
  bool capture_stderr = false;
};

struct SpawnedServer {
  pid_t pid = -1;
  UniqueFd pidfd;
  UniqueFd stdin_write, stdout_read, stderr_read;
};

// Why a spawn failed: `exec_errno` is set when the command itself could not be executed.
struct SpawnFailure {
  std::string message;
  int exec_errno = 0;
};

class Spawner {
 public:
  // Starts the server. On failure `failure` says why and nothing is left running.
  static std::optional<SpawnedServer> spawn(const SpawnRequest& request, SpawnFailure& failure);
};

}  // namespace mcpsandbox
