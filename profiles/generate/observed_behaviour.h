// ObservedBehaviour: what a server did during a learning run, as the kernel saw it, and its
// JSON form (the file `mcpsandbox run --learn-to FILE` writes and `profile generate` reads).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include <map>

#include "profiles/generate/behaviour_profile.h"
#include "profiles/support/result.h"

namespace mcpsandbox {

// What the server did during a learning run (`generate --learn`), from the kernel.
struct ObservedBehaviour {
  struct FileUse {
    std::string path;
    bool write = false;
    bool inside_view = true;  // false: the sandbox did not show it (the open failed)
  };
  std::vector<std::string> syscalls;  // names
  std::vector<FileUse> files;
  std::vector<std::string> execs;
  // "ADDR:PORT" as the egress list writes them: connects the sandbox let through (they
  // succeeded or were under way), apart from those it refused, with the refusal ("EACCES").
  // Only the first may become grants: what the server merely tried is its wish, not a need.
  std::vector<std::string> endpoints;
  std::map<std::string, std::string> refused_endpoints;
  uint64_t events = 0;
  std::map<std::string, BehaviourProfile> tools;  // per tool, from the calls of the run
};

nlohmann::json observed_to_json(const ObservedBehaviour& observed);
Result<ObservedBehaviour> observed_from_json(const nlohmann::json& json);

}  // namespace mcpsandbox
