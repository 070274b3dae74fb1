// EgressFilter: the L4 cgroup-bpf programs of one sandbox (bpf/net_egress.bpf.c), loaded with
// the plan's destinations and attached to the sandbox's cgroup v2 before the sandbox starts.
// Owning it keeps them attached; destroying it detaches them.
#pragma once

#include <memory>
#include <vector>

#include "launcher/destination_grants.h"
#include "launcher/kernel_probe.h"
#include "launcher/violation_log.h"
#include "proxy/io/event_loop.h"
#include "profiles/egress_rule.h"
#include "profiles/plan.h"
#include "profiles/support/result.h"

struct net_egress;
struct ring_buffer;

namespace mcpsandbox {

// The egress programs' denial ring buffer and where its events go; heap-held by the filter so
// the ring buffer's callback context survives moves of the filter.
struct EgressDenialReader {
  ring_buffer* ring = nullptr;
  ViolationLog* violations = nullptr;  // null: events are dropped
  EgressDenialReader() = default;
  EgressDenialReader(const EgressDenialReader&) = delete;
  EgressDenialReader& operator=(const EgressDenialReader&) = delete;
  ~EgressDenialReader();
};

class EgressFilter final : public DestinationGrants {
 public:
  // `plan` gives the destinations (egress) and the directories whose pathname unix sockets
  // may be reached (its read-only and read-write grants, and /tmp when `own_tmp`).
  static Result<EgressFilter> attach(int cgroup_fd, const Plan& plan, bool own_tmp);
  EgressFilter(EgressFilter&&) noexcept;
  EgressFilter& operator=(EgressFilter&&) noexcept;
  ~EgressFilter() override;

  // Load, attach to a scratch cgroup and trigger: a child in it must get EPERM connecting to
  // 127.0.0.1. Only then does the layer count as available.
  // Whether pathname unix sockets outside the sandbox's own and the listed ones are refused
  // (the connect_unix program loads on kernels 6.7 and later).
  bool refuses_unix_sockets() const;
  static FeatureProbe probe();
  // The trigger alone, for programs already attached to `cgroup_fd`: a launch proves the very
  // programs it uses instead of loading a second set to probe.
  Result<void> prove(int cgroup_fd) const;

  // Call-scoped grants: slot `slot` (< MCPSANDBOX_MAX_CALL_GRANTS) lets the destination through
  // until it is cleared (nullptr). One map update each: no reload, no reattach.
  Result<void> set_call_grant(uint32_t slot, const EgressRule* rule) override;

  // Drops the refusals so far (prove()'s trigger), before the server starts.
  Result<void> discard_denials();
  // Reports each refusal (connect, sendmsg, unix connect, socket) not yet discarded, as it
  // happens, and what is left when drain_denials() is called at the end. `violations`
  // outlives the filter.
  Result<void> watch_denials(EventLoop& loop, ViolationLog& violations);
  void drain_denials();

 private:
  explicit EgressFilter(net_egress* skeleton) : skeleton_(skeleton) {}
  Result<void> open_denials();
  net_egress* skeleton_ = nullptr;
  std::unique_ptr<EgressDenialReader> denials_;
};

}  // namespace mcpsandbox
