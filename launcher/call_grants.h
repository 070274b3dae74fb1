// KernelCallScope: the launcher's CallScope (proxy/call_scope.h). While a tool call is in
// flight, the destinations its arguments named (the addresses its URL's host resolves to, on
// that port) are written into the grant slots of every layer that checks connect() (L4
// cgroup-bpf, L5 BPF LSM); when the call ends they are cleared in each. Concurrent calls get the union: a destination two calls share stays until both end.
// Filesystem and exec grants go to a FileGrants (BPF LSM entries, or per-call mounts); without
// either they are reported once as unavailable and the baseline profile alone applies.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "launcher/bounded_resolver.h"
#include "launcher/call_effects.h"
#include "launcher/file_grants.h"
#include "launcher/destination_grants.h"
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
  explicit KernelCallScope(Reach reach, const Logger& logger) : reach_(std::move(reach)), logger_(logger) {}
  ~KernelCallScope() override;

  Result<void> open(const std::string& call, const std::string& id, const std::string& tool,
                    const CallGrants& grants) override;
  std::optional<WithheldResult> close(const std::string& call) override;
  // Told once when a grant cannot be withdrawn: the server would keep it, so the caller ends
  // the sandbox (and audits why); every later call is refused, the call itself gets an error.
  void on_withdrawal_failure(std::function<void(const std::string& why)> handler) {
    on_withdrawal_failure_ = std::move(handler);
  }
  // Tests: every withdrawal fails and leaves its grant in place (--testing-fail-grant-withdrawal).
  void fail_withdrawals_for_testing() { fail_withdrawals_for_testing_ = true; }
  // Per-call effect records (`audit.effects`): told when each call begins and ends.
  void record_effects(CallEffects* effects) { effects_ = effects; }
  // Where read, write and exec grants go (BPF LSM entries or per-call mounts; outlives the scope).
  void grant_files(FileGrants* files) { files_ = files; }
  // A layer that checks connect() with the host network (outlives the scope). Connect grants
  // are made in every one, or refused where there is none.
  void grant_destinations(DestinationGrants* layer) { destinations_.push_back(layer); }

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
  Result<void> release(const std::string& key);
  // Slot `index` set to `rule` (nullptr: cleared) in every layer; on failure to set, the
  // layers already set are cleared again.
  Result<void> set_everywhere(uint32_t index, const EgressRule* rule);
  // Withdraws everything `call` holds: the first failure, or "".
  std::string withdraw(const std::string& call);
  WithheldResult withdrawal_failed(const std::string& why);

  // How long a call's host name may take to resolve: the relay waits on it (a public name
  // answers in milliseconds; a resolver that never answers must not stall the session).
  static constexpr std::chrono::milliseconds kResolveDeadline{2000};

  std::vector<DestinationGrants*> destinations_;
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
  std::function<void(const std::string&)> on_withdrawal_failure_;
  std::string withdrawal_failure_;  // set once: no call is opened after it
  std::set<std::string> holding_;   // calls that were granted something
  bool fail_withdrawals_for_testing_ = false;
};

}  // namespace mcpsandbox
