// KernelCallScope: the launcher's CallScope (proxy/call_scope.h). While a tool call is in
// flight, the destinations its arguments named (the addresses its URL's host resolves to, on
// that port) are written into the sandbox's cgroup-bpf grant slots; when the call ends they are
// cleared. Concurrent calls get the union: a destination two calls share stays until both end.
// Filesystem and exec grants go to a FileGrants (BPF LSM entries, or per-call mounts); without
// either they are reported once as unavailable and the baseline profile alone applies.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "launcher/bounded_resolver.h"
#include "launcher/call_effects.h"
#include "launcher/file_grants.h"
#include "launcher/net_egress.h"
#include "proxy/call_scope.h"
#include "proxy/io/logger.h"

namespace mcpsandbox {

class KernelCallScope final : public CallScope {
 public:
  // What a connect grant may open beyond the public internet (profiles/connect_grant_policy.h).
  struct Reach {
    std::vector<EgressRule> baseline;  // network.allow: already reachable, nothing to grant
    bool internal_grants = false;      // network.internal_grants: "allow"
  };
  // `egress` (nullable: no host network) outlives the scope.
  KernelCallScope(EgressFilter* egress, Reach reach, const Logger& logger)
      : egress_(egress), reach_(std::move(reach)), logger_(logger) {}
  ~KernelCallScope() override;

  Result<void> open(const std::string& call, const std::string& id, const std::string& tool,
                    const CallGrants& grants) override;
  std::optional<std::string> close(const std::string& call) override;
  // Per-call effect records (`audit.effects`): told when each call begins and ends.
  void record_effects(CallEffects* effects) { effects_ = effects; }
  // Where read, write and exec grants go (BPF LSM entries or per-call mounts; outlives the scope).
  void grant_files(FileGrants* files) { files_ = files; }

  // How many destinations are granted now (for tests and the audit).
  size_t granted_destinations() const { return by_rule_.size(); }

 private:
  struct Slot {
    uint32_t index;
    int users;
  };
  Result<void> grant_all(const std::string& call, const CallGrants& grants);
  Result<std::vector<EgressRule>> resolve(const CallGrants::Endpoint& endpoint) const;
  Result<void> grant(const EgressRule& rule, std::vector<std::string>& keys);
  void release(const std::string& key);

  // How long a call's host name may take to resolve: the relay waits on it (a public name
  // answers in milliseconds; a resolver that never answers must not stall the session).
  static constexpr std::chrono::milliseconds kResolveDeadline{2000};

  EgressFilter* egress_;
  Reach reach_;
  BoundedResolver resolver_{kResolveDeadline};
  const Logger& logger_;
  CallEffects* effects_ = nullptr;
  FileGrants* files_ = nullptr;
  std::map<std::string, Slot> by_rule_;                      // rule bytes -> its slot
  std::map<std::string, std::vector<std::string>> by_call_;  // call -> rule keys it holds
  std::vector<uint32_t> free_slots_;
  uint32_t next_slot_ = 0;
  bool warned_filesystem_ = false;
  std::map<std::string, std::string> call_tools_, quarantined_;  // call -> tool; tool -> why
};

}  // namespace mcpsandbox
