// LsmPolicy: the L5 BPF LSM programs (bpf/lsm_policy.bpf.c), shared by every sandbox on the
// host. The first launch loads and attaches them and pins links and map under
// /sys/fs/bpf/mcpsandbox/; later launches reuse the pins and only add their sandbox's cgroup
// id to the map (a SandboxRegistration removes it again).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "launcher/bpf_types.h"
#include "launcher/kernel_probe.h"
#include "launcher/lsm_call_grants.h"
#include "launcher/lsm_sandbox_owners.h"
#include "launcher/violation_log.h"
#include "profiles/plan.h"
#include "proxy/io/event_loop.h"
#include "proxy/io/logger.h"

struct ring_buffer;
#include "profiles/support/result.h"
#include "proxy/io/unique_fd.h"

namespace mcpsandbox {

class LsmPolicy {
 public:
  // Attached programs (loading and pinning them if no launch did yet, one launch at a time),
  // or why not. Entries of sandboxes whose launch was killed are swept on the way.
  static Result<LsmPolicy> attach();
  // attach(), then a trigger: a child in a scratch sandbox cgroup must be refused a signal to
  // its parent. Only then does the layer count as available.
  static FeatureProbe probe();
  // The same answer at launch cost: pinned programs were proven by the launch that pinned them
  // (pins live until reboot), and a failed probe is remembered for this boot in
  // /run/mcpsandbox, since loading the programs only to be refused costs ~30 ms.
  static FeatureProbe probe_for_launch();
  // Sandboxes currently registered with the pinned programs (-1 when nothing is pinned).
  static int live_sandboxes();

  // While alive, the tasks of cgroup `cgroup_id` are under the policy.
  class SandboxRegistration {
   public:
    SandboxRegistration(SandboxRegistration&& other) noexcept;
    SandboxRegistration& operator=(SandboxRegistration&&) = delete;
    ~SandboxRegistration();
    // The server runs: the sandbox's own setup (its mount tree) is over.
    void mark_started() const;
    // Reports each denial of this sandbox as it happens (log and audit), and what is left
    // when drain_denials() is called at the end. `violations` outlives the registration.
    Result<void> watch_denials(EventLoop& loop, ViolationLog& violations);
    void drain_denials();
    // The sandbox's call-scoped filesystem and exec grants (issue #9); it must not outlive
    // the registration.
    LsmCallGrants call_grants() const;
    // The sandbox's call-scoped connect grants (host network only), in the egress map beside
    // its static rules; it must not outlive the registration.
    LsmDestinationGrants destination_grants() const;

   private:
    friend class LsmPolicy;
    SandboxRegistration(int sandboxes_fd, int inodes_fd, uint64_t cgroup_id);
    UniqueFd sandboxes_, inodes_, denials_outer_, denial_ring_;
    ring_buffer* denial_reader_ = nullptr;
    uint64_t cgroup_id_;
    uint32_t flags_ = 0;
    std::vector<std::array<uint8_t, 24>> inode_keys_;
    UniqueFd egress_;
    std::vector<mcpsandbox_egress_key> egress_keys_;
    UniqueFd named_;
    std::vector<LsmPathRule> baseline_;
    std::optional<LsmSandboxOwner> owner_;  // goes after the entries (the destructor's body)
  };
  // The sandbox in cgroup `cgroup_fd` may open, map for execution and execute only beneath the
  // plan's paths (with their rights); `own_mounts`: it has its own mount namespace, whose
  // tmpfs, /proc and overlays its view already bounds.
  Result<SandboxRegistration> add_sandbox(int cgroup_fd, const Plan& plan, bool own_mounts) const;

 private:
  // `transient` (optional) is set when the failure can pass before reboot (another launch's
  // pins, the lock), as opposed to the kernel refusing the programs.
  static Result<LsmPolicy> attach(bool* transient);
  static FeatureProbe probe(bool* transient);
  // Removes every entry of sandboxes whose launch ended without removing them (SIGKILL).
  void sweep_stale_sandboxes() const;
  LsmPolicy(UniqueFd sandboxes, UniqueFd inodes, UniqueFd denials, UniqueFd egress, UniqueFd named)
      : sandboxes_(std::move(sandboxes)),
        inodes_(std::move(inodes)),
        denials_(std::move(denials)),
        egress_(std::move(egress)),
        named_(std::move(named)) {}
  UniqueFd sandboxes_, inodes_, denials_, egress_, named_;
};

}  // namespace mcpsandbox
