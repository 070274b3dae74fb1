#include "launcher/sandbox/layers.h"

namespace mcpsandbox {

namespace {

std::string mebibytes(uint64_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

}  // namespace

std::string ActiveLayers::describe(bool isolated_network, const ResourceLimits& limits) const {
  std::string line = "L0 hygiene";
  line += namespaces ? std::string(", L1 namespaces (user mnt pid ipc uts cgroup") +
                           (isolated_network ? " net" : "; host network") + ")"
                     : ", L1 namespaces OFF";
  line += landlock ? ", L2 landlock ABI " + std::to_string(landlock_abi) : ", L2 landlock OFF";
  line += seccomp ? ", L3 seccomp" : ", L3 seccomp OFF";
  line += cgroups ? ", cgroup limits (" + cgroup_detail + ")"
                  : ", cgroup limits OFF (" + cgroup_detail + "; rlimits only)";
  if (namespaces) {
    // tmpfs pages are charged to the writer's memory cgroup; without one, only their sizes hold.
    line += ", tmpfs /tmp " + mebibytes(limits.tmp_bytes) + " /dev/shm " + mebibytes(limits.shm_bytes) +
            (cgroups ? " (within the memory limit)" : " (no memory limit counts them)");
  }
  if (!isolated_network) line += cgroup_bpf ? ", L4 cgroup-bpf egress allowlist" : ", L4 cgroup-bpf OFF";
  line += bpf_lsm ? ", L5 BPF LSM"
                 : ", L5 BPF LSM OFF" + (bpf_lsm_detail.empty() ? "" : " (" + bpf_lsm_detail + ")");
  return line;
}

}  // namespace mcpsandbox
