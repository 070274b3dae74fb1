#include "launcher/sandbox/layers.h"

namespace mcpsandbox {

std::string ActiveLayers::describe(bool isolated_network) const {
  std::string line = "L0 hygiene";
  line += namespaces ? std::string(", L1 namespaces (user mnt pid ipc uts cgroup") +
                           (isolated_network ? " net" : "; host network") + ")"
                     : ", L1 namespaces OFF";
  line += landlock ? ", L2 landlock ABI " + std::to_string(landlock_abi) : ", L2 landlock OFF";
  line += seccomp ? ", L3 seccomp" : ", L3 seccomp OFF";
  line += cgroups ? ", cgroup limits (" + cgroup_detail + ")" : ", cgroup limits OFF (rlimits only)";
  if (!isolated_network) line += cgroup_bpf ? ", L4 cgroup-bpf egress allowlist" : ", L4 cgroup-bpf OFF";
  line += bpf_lsm ? ", L5 BPF LSM"
                 : ", L5 BPF LSM OFF" + (bpf_lsm_detail.empty() ? "" : " (" + bpf_lsm_detail + ")");
  return line;
}

}  // namespace mcpsandbox
