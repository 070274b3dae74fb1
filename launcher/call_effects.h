// CallEffects: the per-call effect records of the audit log (issue #9, `audit.effects`). The
// kernel (BehaviourTrace) reports each open, exec and connect of the sandbox as it happens; this
// ledger attributes it to the tool call in flight, or marks it ambiguous when several are, or
// out of band when none is (after the first call; before it, the server is starting). When a
// call ends, one `call.effects` record lists what the server did for it, denials included; at
// session end one `effects.out_of_band` record sums up the rest. Each call's behaviour is also
// compared with its tool's behavioural pin, and summed per tool for a learning run.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "launcher/behaviour_trace.h"
#include "profiles/generate/behaviour_profile.h"
#include "proxy/audit/audit_log.h"
#include "proxy/io/logger.h"

namespace mcpsandbox {

class CallEffects {
 public:
  // `audit` and `trace` outlive the ledger; `trace` is drained before a call's record is
  // written, so nothing the server did before answering is left in the ring buffer.
  // `audit` may be null (a learning run without an audit log: nothing is recorded, behaviour
  // is still summed per tool).
  CallEffects(AuditSink* audit, BehaviourTrace& trace, const Logger& logger)
      : audit_(audit), trace_(trace), logger_(logger) {}

  // Behavioural pins: the recorded behaviour of each tool; with `block`, a departing call's
  // result is withheld and the tool refused for the rest of the session.
  void pin_behaviour(std::map<std::string, BehaviourProfile> pinned, bool block) {
    pinned_ = std::move(pinned);
    block_ = block;
  }
  // `id` is the request's JSON id, as the audit log's request records write it.
  void begin(const std::string& call, const std::string& id, const std::string& tool);
  // Writes the call's record; returns why its result must be withheld (a blocked departure).
  std::optional<std::string> end(const std::string& call);
  // Per tool, what its calls did (for `profile generate --learn`).
  const std::map<std::string, BehaviourProfile>& learned() const { return learned_; }
  void observe(const ObservedEffect& effect);
  // The session ends: the out-of-band summary (if anything happened between calls).
  void finish();

 private:
  struct Effects {
    std::string tool;
    nlohmann::json id;
    nlohmann::json opened = nlohmann::json::array(), execs = nlohmann::json::array(),
                   connects = nlohmann::json::array();
    uint64_t total = 0, denied = 0, dropped = 0;
    std::set<std::string> overlapping;  // other calls in flight at some effect: ambiguous
    BehaviourProfile behaviour;
  };
  static void add(Effects& effects, const ObservedEffect& effect);
  nlohmann::json record_of(const Effects& effects) const;

  void record(nlohmann::json record, const char* what);

  AuditSink* audit_;
  BehaviourTrace& trace_;
  const Logger& logger_;
  std::map<std::string, Effects> in_flight_;
  Effects out_of_band_;
  bool started_ = false;  // a call has begun: from now on, acting between calls is out of band
  std::map<std::string, BehaviourProfile> pinned_, learned_;
  bool block_ = false;
};

}  // namespace mcpsandbox
