// The sandboxed child, between clone3 and the server's exec: the layer checklist of DESIGN.md
// in the order the kernel requires (mounts, rlimits, capabilities, no_new_privs, Landlock,
// seccomp last), each step failing closed with a reason sent to the launcher.
#pragma once

#include "launcher/sandbox/layers.h"
#include "profiles/plan.h"

namespace mcpsandbox {

struct ChildContext {
  const Plan& plan;
  ActiveLayers layers;
  int stdin_fd, stdout_fd, stderr_fd;  // stderr_fd < 0: keep the launcher's stderr
  int go_fd;      // the launcher writes one byte once uid/gid maps and cgroup are set
  int report_fd;  // SetupError on failure; EOF once the server runs
  int status_fd;  // the server's wait status (from the sandbox's init)
};

[[noreturn]] void sandbox_child_main(const ChildContext& context);

}  // namespace mcpsandbox
