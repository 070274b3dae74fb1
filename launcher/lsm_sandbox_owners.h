// Who registered each sandbox with the shared BPF LSM programs: one file per sandbox under
// /run/mcpsandbox/sandboxes/ (named after its cgroup id) holding the launch's pid, its start
// time and the sandbox's cgroup. A launch removes its entries when it ends; one killed by
// SIGKILL cannot, and its file is how a later launch finds them: a registered sandbox whose
// owner is no longer running is stale, and swept.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "profiles/support/result.h"

namespace mcpsandbox {

// root's directory for L5: the load lock, this boot's verdict, the owner files.
inline constexpr const char* kRunDir = "/run/mcpsandbox";

class LsmSandboxOwner {
 public:
  // Written before any map entry of the sandbox exists, so no live sandbox is ever ownerless.
  static Result<LsmSandboxOwner> claim(uint64_t cgroup_id, int cgroup_fd);
  LsmSandboxOwner(LsmSandboxOwner&& other) noexcept;
  LsmSandboxOwner& operator=(LsmSandboxOwner&&) = delete;
  ~LsmSandboxOwner();  // the file goes after the entries (the registration removes them first)

 private:
  explicit LsmSandboxOwner(std::string file) : file_(std::move(file)) {}
  std::string file_;
};

struct StaleSandbox {
  uint64_t cgroup_id;
  std::string cgroup;  // its cgroup directory, whose leftover tasks are killed before the sweep
};

// Of the `registered` cgroup ids, those whose owner file names a launch that has ended. A
// sandbox without an owner file (registered by an mcpsandbox that wrote none) is left alone.
std::vector<StaleSandbox> stale_sandboxes(const std::vector<uint64_t>& registered);
// Removes the owner file of a swept sandbox.
void forget_sandbox(uint64_t cgroup_id);

}  // namespace mcpsandbox
