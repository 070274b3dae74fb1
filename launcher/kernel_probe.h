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

// The test suite's way to prove that a broken probe turns its layer's tests red, not into skips:
// MCPSANDBOX_TESTING_BREAK_PROBE=cgroup-bpf makes the L4 probe report the layer missing. It can
// only take a layer away (a launch that needs it then refuses to start), never add one.
bool probe_broken_for_testing(const char* feature);
FeatureProbe broken_probe();

}  // namespace mcpsandbox
