#include "launcher/call_effects.h"

namespace mcpsandbox {
namespace {

// Per call and kind: enough to see what happened, bounded against a server that opens a
// million files in one call (the counts stay exact).
constexpr size_t kListed = 100;

bool refused(int64_t result) { return result == -1 || result == -13; }  // EPERM, EACCES

}  // namespace

void CallEffects::record(nlohmann::json record, const char* what) {
  if (!audit_) return;
  if (auto written = audit_->record(std::move(record)); !written) {
    logger_.error(std::string("audit: ") + what + ": " + written.error().message);
  }
}

static const char* kind_name(ObservedEffect::Kind kind, bool write) {
  switch (kind) {
    case ObservedEffect::Kind::kOpen: return write ? "write" : "read";
    case ObservedEffect::Kind::kExec: return "exec";
    default: return "connect";
  }
}

void CallEffects::add(Effects& effects, const ObservedEffect& effect) {
  ++effects.total;
  effects.behaviour.add(kind_name(effect.kind, effect.write), effect.what);
  if (refused(effect.result)) ++effects.denied;
  nlohmann::json* list = effect.kind == ObservedEffect::Kind::kOpen   ? &effects.opened
                         : effect.kind == ObservedEffect::Kind::kExec ? &effects.execs
                                                                      : &effects.connects;
  if (list->size() >= kListed) {
    ++effects.dropped;
    return;
  }
  nlohmann::json entry = {{"pid", effect.pid}};
  entry[effect.kind == ObservedEffect::Kind::kConnect ? "to" : "path"] = effect.what;
  if (effect.kind == ObservedEffect::Kind::kOpen) entry["mode"] = effect.write ? "write" : "read";
  if (effect.result < 0) entry["error"] = -effect.result;
  list->push_back(std::move(entry));
}

void CallEffects::begin(const std::string& call, const std::string& id, const std::string& tool) {
  started_ = true;
  trace_.drain();  // what came before belongs to before
  Effects& effects = in_flight_[call];
  effects.tool = tool;
  effects.id = nlohmann::json::parse(id, nullptr, false);
}

void CallEffects::observe(const ObservedEffect& effect) {
  if (in_flight_.empty()) {
    if (started_) add(out_of_band_, effect);
    return;
  }
  for (auto& [call, effects] : in_flight_) {
    add(effects, effect);
    if (in_flight_.size() > 1) {
      for (const auto& [other, other_effects] : in_flight_) {
        if (other != call) effects.overlapping.insert(other_effects.id.dump());
      }
    }
  }
}

nlohmann::json CallEffects::record_of(const Effects& effects) const {
  nlohmann::json record = {{"opened", effects.opened}, {"execs", effects.execs}, {"connects", effects.connects},
                           {"effects", effects.total}, {"denied", effects.denied}};
  if (effects.dropped) record["unlisted"] = effects.dropped;
  return record;
}

std::optional<std::string> CallEffects::end(const std::string& call) {
  auto found = in_flight_.find(call);
  if (found == in_flight_.end()) return std::nullopt;
  trace_.drain();  // the server answered: what it did on the way is already in the ring buffer
  found = in_flight_.find(call);
  Effects effects = std::move(found->second);
  in_flight_.erase(found);
  nlohmann::json record = record_of(effects);
  record["event"] = "call.effects";
  record["id"] = effects.id;
  record["tool"] = effects.tool;
  record["attribution"] = effects.overlapping.empty() ? "exclusive" : "ambiguous";
  if (!effects.overlapping.empty()) record["overlapping"] = effects.overlapping;
  this->record(std::move(record), "call effects");
  learned_[effects.tool].merge(effects.behaviour);
  // Behavioural pins: only an exclusive record is evidence about this tool.
  auto pinned = pinned_.find(effects.tool);
  if (pinned == pinned_.end() || !effects.overlapping.empty()) return std::nullopt;
  std::vector<std::string> departed = departures(pinned->second, effects.behaviour);
  if (departed.empty()) return std::nullopt;
  std::string why = "tool '" + effects.tool + "' departed from its pinned behaviour: " + departed.front();
  logger_.warn("pins: " + why + (block_ ? " (result withheld)" : ""));
  this->record({{"event", "pin.behaviour"}, {"id", effects.id}, {"tool", effects.tool}, {"departures", departed},
                {"action", block_ ? "block" : "warn"}},
               "behaviour departure");
  if (!block_) return std::nullopt;
  return why;
}

void CallEffects::finish() {
  trace_.drain();
  if (out_of_band_.total == 0) return;
  logger_.warn("effects: the server acted " + std::to_string(out_of_band_.total) +
               " times while no call was in flight (see the audit log's effects.out_of_band)");
  nlohmann::json summary = record_of(out_of_band_);
  summary["event"] = "effects.out_of_band";
  record(std::move(summary), "out-of-band effects");
}

}  // namespace mcpsandbox
