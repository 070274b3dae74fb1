// EgressFilter: the L4 cgroup-bpf programs of one sandbox (bpf/net_egress.bpf.c), loaded with
// the plan's destinations and attached to the sandbox's cgroup v2 before the sandbox starts.
// Owning it keeps them attached; destroying it detaches them.
#pragma once

#include <memory>
#include <vector>

#include "launcher/kernel_probe.h"
#include "profiles/egress_rule.h"
#include "profiles/plan.h"
#include "profiles/support/result.h"

struct net_egress;

namespace mcpsandbox {

class EgressFilter {
 public:
  // `plan` gives the destinations (egress) and the directories whose pathname unix sockets
  // may be reached (its read-only and read-write grants, and /tmp when `own_tmp`).
  static Result<EgressFilter> attach(int cgroup_fd, const Plan& plan, bool own_tmp);
  EgressFilter(EgressFilter&&) noexcept;
  EgressFilter& operator=(EgressFilter&&) noexcept;
  ~EgressFilter();

  // Load, attach to a scratch cgroup and trigger: a child in it must get EPERM connecting to
  // 127.0.0.1. Only then does the layer count as available.
  static FeatureProbe probe();
  // The trigger alone, for programs already attached to `cgroup_fd`: a launch proves the very
  // programs it uses instead of loading a second set to probe.
  Result<void> prove(int cgroup_fd) const;

 private:
  explicit EgressFilter(net_egress* skeleton) : skeleton_(skeleton) {}
  net_egress* skeleton_ = nullptr;
};

}  // namespace mcpsandbox
