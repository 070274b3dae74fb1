// What this kernel and user can enforce, found by trying rather than by reading lists: a user
// namespace is created, Landlock is asked for its ABI, seccomp for its kill action. Used by
// every launch (to pick layers and print them) and by `mcpsandbox doctor`.
#pragma once

#include <string>

namespace mcpsandbox {

struct FeatureProbe {
  bool available = false;
  std::string detail;  // the version, or why not
};

struct KernelFeatures {
  FeatureProbe user_namespaces;
  FeatureProbe landlock;
  int landlock_abi = 0;
  FeatureProbe seccomp;
  FeatureProbe cgroups;
  FeatureProbe cgroup_bpf;  // a launch proves it when attaching; doctor probes it separately
  FeatureProbe bpf_lsm;     // probed for root only: nobody else can attach LSM programs
};

KernelFeatures probe_kernel();

}  // namespace mcpsandbox
