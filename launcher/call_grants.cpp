#include "launcher/call_grants.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <cstring>

#include "launcher/bpf_types.h"
#include "profiles/connect_grant_policy.h"
#include "proxy/error_codes.h"

namespace mcpsandbox {
namespace {

std::string key_of(const EgressRule& rule) {
  return std::to_string(rule.family) + "/" +
         std::string(reinterpret_cast<const char*>(rule.address.data()), rule.address.size()) + "/" +
         std::to_string(rule.port);
}

// A name with any non-public address is suspect (DNS rebinding, split horizon): the whole call
// is refused rather than granted part of what it named.
Error refuse_internal(const CallGrants::Endpoint& endpoint, const EgressRule& address) {
  char text[INET6_ADDRSTRLEN] = "?";
  ::inet_ntop(address.family, address.address.data(), text, sizeof text);
  std::string range(describe(classify_address(address.family, address.address)));
  bool literal = endpoint.host == text;
  return Error{"'" + endpoint.host + "'" + (literal ? "" : std::string(" resolves to ") + text) + " (" + range +
               "): a connect grant opens only public addresses unless the profile says "
               "network.internal_grants \"allow\" or lists it in network.allow"};
}

}  // namespace

KernelCallScope::~KernelCallScope() {
  // Nothing outlives the session: every slot still held is cleared.
  std::vector<std::string> calls;
  for (const auto& [call, keys] : by_call_) calls.push_back(call);
  // The sandbox is gone by now: a grant that cannot be withdrawn has no one left to use it.
  for (const auto& call : calls) (void)withdraw(call);
}

// The addresses `host` names: a literal as it is, a name through the resolver (the same
// /etc/hosts and DNS the sandbox sees, waited for at most kResolveDeadline). Each becomes a host
// route (/32, /128) on the port.
Result<std::vector<EgressRule>> KernelCallScope::resolve(const CallGrants::Endpoint& endpoint) const {
  // An address literal needs no resolver (glibc's getaddrinfo costs tens of µs even for one).
  EgressRule literal;
  literal.port = endpoint.port;
  literal.text = endpoint.host + ":" + std::to_string(endpoint.port);
  if (::inet_pton(AF_INET, endpoint.host.c_str(), literal.address.data()) == 1) {
    literal.family = AF_INET;
    literal.prefix_len = 32;
    return std::vector<EgressRule>{literal};
  }
  if (::inet_pton(AF_INET6, endpoint.host.c_str(), literal.address.data()) == 1) {
    literal.family = AF_INET6;
    literal.prefix_len = 128;
    return std::vector<EgressRule>{literal};
  }
  auto addresses = resolver_.resolve(endpoint.host);
  if (!addresses) return addresses.error();
  std::vector<EgressRule> rules;
  for (const sockaddr_storage& address : *addresses) {
    EgressRule rule;
    rule.family = address.ss_family;
    rule.port = endpoint.port;
    if (address.ss_family == AF_INET) {
      std::memcpy(rule.address.data(), &reinterpret_cast<const sockaddr_in*>(&address)->sin_addr, 4);
      rule.prefix_len = 32;
    } else {
      std::memcpy(rule.address.data(), &reinterpret_cast<const sockaddr_in6*>(&address)->sin6_addr, 16);
      rule.prefix_len = 128;
    }
    rule.text = endpoint.host + ":" + std::to_string(endpoint.port);
    rules.push_back(rule);
  }
  if (rules.empty()) return Error{"'" + endpoint.host + "' has no IPv4 or IPv6 address"};
  return rules;
}

Result<void> KernelCallScope::grant(const EgressRule& rule, std::vector<std::string>& keys) {
  std::string key = key_of(rule);
  auto held = by_rule_.find(key);
  if (held != by_rule_.end()) {
    held->second.users++;
    keys.push_back(key);
    return {};
  }
  uint32_t index;
  if (!free_slots_.empty()) {
    index = free_slots_.back();
    free_slots_.pop_back();
  } else if (next_slot_ < MCPSANDBOX_MAX_CALL_GRANTS) {
    index = next_slot_++;
  } else {
    return Error{"more than " + std::to_string(MCPSANDBOX_MAX_CALL_GRANTS) +
                 " destinations granted at once (calls in flight hold them)"};
  }
  if (auto set = set_everywhere(index, &rule); !set) {
    free_slots_.push_back(index);
    return set;
  }
  by_rule_[key] = {index, 1};
  keys.push_back(key);
  return {};
}

Result<void> KernelCallScope::release(const std::string& key) {
  auto held = by_rule_.find(key);
  if (held == by_rule_.end() || --held->second.users > 0) return {};
  uint32_t index = held->second.index;
  by_rule_.erase(held);
  // A slot that keeps its destination is never handed out again.
  if (auto cleared = set_everywhere(index, nullptr); !cleared) return cleared;
  free_slots_.push_back(index);
  return {};
}

Result<void> KernelCallScope::set_everywhere(uint32_t index, const EgressRule* rule) {
  if (!rule) {
    std::string failed;  // every layer is cleared, even after one fails
    for (DestinationGrants* layer : destinations_) {
      if (auto cleared = layer->set_call_grant(index, nullptr); !cleared && failed.empty()) {
        failed = cleared.error().message;
      }
    }
    return failed.empty() ? Result<void>() : Result<void>(Error{failed});
  }
  for (size_t i = 0; i < destinations_.size(); ++i) {
    if (auto set = destinations_[i]->set_call_grant(index, rule); !set) {
      for (size_t k = 0; k < i; ++k) (void)destinations_[k]->set_call_grant(index, nullptr);
      return set;
    }
  }
  return {};
}

Result<void> KernelCallScope::open(const std::string& call, const std::string& id, const std::string& tool,
                                   const CallGrants& grants) {
  if (!withdrawal_failure_.empty()) {
    return Error{"refused: an earlier call's grant could not be withdrawn (" + withdrawal_failure_ +
                 ") and the sandbox is being ended"};
  }
  if (auto held = quarantined_.find(tool); held != quarantined_.end()) {
    return Error{"refused for the rest of this session: " + held->second};
  }
  auto granted = grant_all(call, grants);
  if (granted && !grants.empty()) holding_.insert(call);
  if (granted && effects_) {
    effects_->begin(call, id, tool);
    call_tools_[call] = tool;
  }
  return granted;
}

Result<void> KernelCallScope::grant_all(const std::string& call, const CallGrants& grants) {
  bool files = !grants.read.empty() || !grants.write.empty() || !grants.exec.empty();
  if (files && !files_ && !warned_filesystem_) {
    warned_filesystem_ = true;
    logger_.warn("call grants: read, write and exec grants need BPF LSM (L5) or, for files, per-call "
                 "mounts (L1 and root); neither is in use, so the baseline profile alone confines "
                 "files and programs");
  }
  if (grants.connect.empty()) return files && files_ ? files_->grant(call, grants) : Result<void>();
  if (destinations_.empty()) {
    return Error{"a connect grant needs host network (network.mode host) with a layer that checks "
                 "connect(): L4 cgroup-bpf or L5 BPF LSM"};
  }
  if (files && files_) {
    if (auto granted = files_->grant(call, grants); !granted) return granted;
  }
  struct FilesUndo {  // the file grants go again if a network grant cannot be made
    FileGrants* files;
    const std::string& call;
    bool keep = false;
    ~FilesUndo() {
      if (files && !keep) (void)files->release(call);
    }
  } undo{files ? files_ : nullptr, call};
  std::vector<EgressRule> rules;
  for (const auto& endpoint : grants.connect) {
    auto resolved = resolve(endpoint);
    if (!resolved) return resolved.error();
    for (const EgressRule& rule : *resolved) {
      switch (decide_connect_grant(reach_.baseline, reach_.internal_grants, rule)) {
        case ConnectGrantDecision::kGrant: rules.push_back(rule); break;
        case ConnectGrantDecision::kBaselineCovers: break;
        case ConnectGrantDecision::kRefuse: return refuse_internal(endpoint, rule);
      }
    }
  }
  std::vector<std::string> keys;
  for (const EgressRule& rule : rules) {
    if (auto granted = grant(rule, keys); !granted) {
      for (const auto& key : keys) (void)release(key);
      return granted;
    }
  }
  auto& held = by_call_[call];
  held.insert(held.end(), keys.begin(), keys.end());
  undo.keep = true;
  return {};
}

std::optional<WithheldResult> KernelCallScope::close(const std::string& call) {
  std::optional<WithheldResult> withheld;
  if (effects_) {
    std::optional<std::string> departed = effects_->end(call);
    auto tool = call_tools_.find(call);
    if (tool != call_tools_.end()) {
      if (departed) quarantined_[tool->second] = *departed;
      call_tools_.erase(tool);
    }
    if (departed) withheld = WithheldResult{error_code::kBehaviourDeparted, "pins.behaviour", *departed};
  }
  if (std::string failed = withdraw(call); !failed.empty()) return withdrawal_failed(failed);
  return withheld;
}

std::string KernelCallScope::withdraw(const std::string& call) {
  bool holds = holding_.erase(call) > 0;
  if (fail_withdrawals_for_testing_) {
    // Simulates a kernel that refuses: everything the call holds stays granted.
    return holds ? "withdrawal refused (--testing-fail-grant-withdrawal)" : "";
  }
  std::string failed;
  if (files_) {
    if (auto released = files_->release(call); !released) failed = released.error().message;
  }
  auto found = by_call_.find(call);
  if (found == by_call_.end()) return failed;
  std::vector<std::string> keys = std::move(found->second);
  by_call_.erase(found);
  for (const auto& key : keys) {
    if (auto released = release(key); !released && failed.empty()) {
      failed = "cannot withdraw a connect grant: " + released.error().message;
    }
  }
  return failed;
}

WithheldResult KernelCallScope::withdrawal_failed(const std::string& why) {
  if (withdrawal_failure_.empty()) {
    withdrawal_failure_ = why;
    if (on_withdrawal_failure_) on_withdrawal_failure_(why);
  }
  return {error_code::kGrantFailed, "grants.withdraw",
          "a grant of this call could not be withdrawn (" + why + "): the session ends"};
}

}  // namespace mcpsandbox
