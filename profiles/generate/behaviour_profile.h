// BehaviourProfile: what a tool's calls do at the kernel's level, in kinds coarse enough to be
// stable between runs: whether they read or write files (beyond the runtime's own), which
// programs they execute, which addresses they connect to. A learning run records one per tool
// into the tool pins (behavioural pins, issue #9); later calls are compared with it, so a
// `read_file` that suddenly connects out is reported, or blocked. Pure.
#pragma once

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "profiles/support/result.h"

namespace mcpsandbox {

struct BehaviourProfile {
  std::set<std::string> kinds;      // "read", "write", "exec", "connect"
  std::set<std::string> programs;   // executed
  std::set<std::string> endpoints;  // connected to, ADDR:PORT

  // One effect: `kind` is read/write/exec/connect, `what` the path or endpoint. Reads of the
  // system and the runtime's own files (/usr, /lib, /proc, node_modules, the npm and uv caches)
  // are incidental (a runtime loads code lazily) and do not count.
  void add(const std::string& kind, const std::string& what);
  void merge(const BehaviourProfile& other);
  bool empty() const { return kinds.empty(); }
  nlohmann::json to_json() const;
  static Result<BehaviourProfile> from_json(const nlohmann::json& json);
};

// How `seen` departs from `pinned`, one sentence each ("connects to the network, which its pin
// never did"); empty when it stays within.
std::vector<std::string> departures(const BehaviourProfile& pinned, const BehaviourProfile& seen);

}  // namespace mcpsandbox
