// CgroupLimiter: the sandbox's own cgroup, so memory and process-count limits hold for the
// whole sandbox (RLIMIT_NPROC does not bind root, RLIMIT_DATA is per process). Uses cgroup v2
// where this user can create a child cgroup with the memory and pids controllers, and the v1
// memory and pids hierarchies otherwise (hybrid hosts such as our CI VMs). Removed on exit.
#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "launcher/kernel_probe.h"
#include "profiles/plan.h"
#include "profiles/support/result.h"
#include "proxy/io/unique_fd.h"

namespace mcpsandbox {

// ScratchCgroup: a cgroup v2 directory of our own (under /sys/fs/cgroup, or
// /sys/fs/cgroup/unified on hybrid hosts) to attach cgroup-bpf programs to and start a process
// in with CLONE_INTO_CGROUP. Removed on destruction.
class ScratchCgroup {
 public:
  static Result<ScratchCgroup> create(const std::string& label);
  ScratchCgroup(ScratchCgroup&&) = default;
  ScratchCgroup& operator=(ScratchCgroup&&) = default;
  ~ScratchCgroup();
  int fd() const { return fd_.get(); }

 private:
  ScratchCgroup() = default;
  std::string path_;
  UniqueFd fd_;
};

// Runs `check` in a child started inside the cgroup v2 `cgroup_fd` (the trigger of a layer
// probe): true when it returned true.
Result<bool> run_in_cgroup(int cgroup_fd, const std::function<bool()>& check);

class CgroupLimiter {
 public:
  static FeatureProbe probe();
  // Creates the sandbox's cgroup(s) with the plan's limits (defaults where unset).
  static Result<CgroupLimiter> create(const ResourceLimits& limits);
  CgroupLimiter(CgroupLimiter&&) = default;
  CgroupLimiter& operator=(CgroupLimiter&&) = default;
  ~CgroupLimiter();

  // cgroup v2: the directory fd for CLONE_INTO_CGROUP; -1 on v1.
  int clone_into_fd() const { return v2_dir_.get(); }
  // cgroup v1: moves `pid` in (before it runs anything of the server's).
  Result<void> add(pid_t pid) const;
  const std::string& detail() const { return detail_; }

 private:
  CgroupLimiter() = default;
  std::vector<std::string> directories_;  // removed in reverse order
  UniqueFd v2_dir_;
  std::string detail_;
};

}  // namespace mcpsandbox
