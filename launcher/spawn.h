// Spawning the MCP server: clone3 straight into the plan's namespaces (with a pidfd), pipes for
// its stdio, uid/gid maps written from outside, and a report channel so a setup failure or a
// missing command is a clear message (exit 127 for the latter) rather than a silent death.
#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>

#include "launcher/sandbox/layers.h"
#include "profiles/plan.h"
#include "profiles/support/result.h"
#include "proxy/io/unique_fd.h"

namespace mcpsandbox {

struct SpawnRequest {
  const Plan& plan;
  ActiveLayers layers;
  int cgroup_fd = -1;  // a cgroup v2 directory to start in (CLONE_INTO_CGROUP), or -1
  // Runs after the child exists and before it may proceed (cgroup v1 placement); an error
  // aborts the spawn.
  std::function<Result<void>(pid_t)> before_start;
};

struct SpawnedServer {
  pid_t pid = -1;  // the sandbox's init (or the server itself without a pid namespace)
  UniqueFd pidfd;
  UniqueFd stdin_write, stdout_read, stderr_read;
  UniqueFd status_read;  // the server's wait status from the sandbox's init
};

struct SpawnFailure {
  std::string message;
  bool exec_failed = false;  // the command itself could not be executed
};

class Spawner {
 public:
  // Starts the server. On failure `failure` says why and nothing is left running.
  static std::optional<SpawnedServer> spawn(const SpawnRequest& request, SpawnFailure& failure);
};

}  // namespace mcpsandbox
