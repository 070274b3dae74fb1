// LsmPolicy: the L5 BPF LSM programs (bpf/lsm_policy.bpf.c), shared by every sandbox on the
// host. The first launch loads and attaches them and pins links and map under
// /sys/fs/bpf/mcpsandbox/; later launches reuse the pins and only add their sandbox's cgroup
// id to the map (a SandboxRegistration removes it again).
#pragma once

#include <cstdint>

#include "launcher/kernel_probe.h"
#include "profiles/support/result.h"
#include "proxy/io/unique_fd.h"

namespace mcpsandbox {

class LsmPolicy {
 public:
  // Attached programs (loading and pinning them if no launch did yet), or why not.
  static Result<LsmPolicy> attach();
  // attach(), then a trigger: a child in a scratch sandbox cgroup must be refused a signal to
  // its parent. Only then does the layer count as available.
  static FeatureProbe probe();
  // The same answer at launch cost: pinned programs were proven by the launch that pinned them
  // (pins live until reboot), and a failed probe is remembered for this boot in
  // /run/mcpsandbox, since loading the programs only to be refused costs ~30 ms.
  static FeatureProbe probe_for_launch();

  // While alive, the tasks of cgroup `cgroup_id` are under the policy.
  class SandboxRegistration {
   public:
    SandboxRegistration(SandboxRegistration&& other) noexcept;
    SandboxRegistration& operator=(SandboxRegistration&&) = delete;
    ~SandboxRegistration();

   private:
    friend class LsmPolicy;
    SandboxRegistration(int map_fd, uint64_t cgroup_id);
    UniqueFd map_;
    uint64_t cgroup_id_;
  };
  Result<SandboxRegistration> add_sandbox(int cgroup_fd) const;

 private:
  explicit LsmPolicy(UniqueFd map) : map_(std::move(map)) {}
  UniqueFd map_;
};

}  // namespace mcpsandbox
