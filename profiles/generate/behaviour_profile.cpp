#include "profiles/generate/behaviour_profile.h"

namespace mcpsandbox {
namespace {

bool incidental_read(const std::string& path) {
  for (const char* prefix : {"/usr/", "/lib", "/bin/", "/sbin/", "/etc/", "/proc/", "/sys/", "/dev/", "/opt/"}) {
    if (path.rfind(prefix, 0) == 0) return true;
  }
  return path.find("/node_modules/") != std::string::npos || path.find("/.npm/") != std::string::npos ||
         path.find("/.cache/uv/") != std::string::npos || path.find("/site-packages/") != std::string::npos;
}

std::string described(const std::string& kind) {
  if (kind == "read") return "reads files";
  if (kind == "write") return "writes files";
  if (kind == "exec") return "executes programs";
  return "connects to the network";
}

}  // namespace

void BehaviourProfile::add(const std::string& kind, const std::string& what) {
  if (kind == "read" && incidental_read(what)) return;
  kinds.insert(kind);
  if (kind == "exec") programs.insert(what);
  if (kind == "connect") endpoints.insert(what);
}

void BehaviourProfile::merge(const BehaviourProfile& other) {
  kinds.insert(other.kinds.begin(), other.kinds.end());
  programs.insert(other.programs.begin(), other.programs.end());
  endpoints.insert(other.endpoints.begin(), other.endpoints.end());
}

nlohmann::json BehaviourProfile::to_json() const {
  return {{"kinds", kinds}, {"programs", programs}, {"endpoints", endpoints}};
}

Result<BehaviourProfile> BehaviourProfile::from_json(const nlohmann::json& json) {
  try {
    BehaviourProfile profile;
    profile.kinds = json.at("kinds").get<std::set<std::string>>();
    profile.programs = json.value("programs", std::set<std::string>{});
    profile.endpoints = json.value("endpoints", std::set<std::string>{});
    return profile;
  } catch (const nlohmann::json::exception& error) {
    return Error{std::string("behaviour: ") + error.what()};
  }
}

std::vector<std::string> departures(const BehaviourProfile& pinned, const BehaviourProfile& seen) {
  std::vector<std::string> out;
  for (const auto& kind : seen.kinds) {
    if (!pinned.kinds.count(kind)) out.push_back(described(kind) + ", which its pin never did");
  }
  if (pinned.kinds.count("exec")) {
    for (const auto& program : seen.programs) {
      if (!pinned.programs.count(program)) out.push_back("executes " + program + ", not among its pinned programs");
    }
  }
  if (pinned.kinds.count("connect")) {
    for (const auto& endpoint : seen.endpoints) {
      if (!pinned.endpoints.count(endpoint)) out.push_back("connects to " + endpoint + ", not among its pinned endpoints");
    }
  }
  return out;
}

}  // namespace mcpsandbox
