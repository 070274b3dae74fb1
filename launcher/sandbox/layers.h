// Which enforcement layers a launch uses, decided by the launcher from the plan and the kernel
// probe before the child starts; the child applies exactly these or fails.
#pragma once

#include <string>

#include "profiles/plan.h"

namespace mcpsandbox {

struct ActiveLayers {
  bool namespaces = false;  // L1: user, mount, pid, ipc, uts, cgroup (+ net when isolated)
  bool landlock = false;    // L2
  int landlock_abi = 0;
  bool seccomp = false;     // L3
  bool cgroups = false;     // resource limits through a per-sandbox cgroup
  bool cgroup_bpf = false;  // L4: egress allowlist and socket types (host network only)
  bool bpf_lsm = false;     // L5: object-level decisions of the shared LSM programs
  std::string bpf_lsm_detail;  // why not, when absent
  std::string cgroup_detail;

  // One line for the log: "L0 hygiene, L1 namespaces (...), L2 landlock ABI 7, L3 seccomp",
  // with the tmpfs sizes where the sandbox has its own /tmp and /dev/shm.
  std::string describe(bool isolated_network, const ResourceLimits& limits) const;
};

}  // namespace mcpsandbox
