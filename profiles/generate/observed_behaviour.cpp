#include "profiles/generate/observed_behaviour.h"

namespace mcpsandbox {

using nlohmann::json;

json observed_to_json(const ObservedBehaviour& observed) {
  json files = json::array();
  for (const auto& file : observed.files) {
    files.push_back({{"path", file.path}, {"write", file.write}, {"inside_view", file.inside_view}});
  }
  json tools = json::object();
  for (const auto& [name, behaviour] : observed.tools) tools[name] = behaviour.to_json();
  return {{"syscalls", observed.syscalls}, {"files", files},     {"execs", observed.execs},
          {"endpoints", observed.endpoints}, {"refused_endpoints", observed.refused_endpoints},
          {"events", observed.events}, {"tools", tools}};
}

Result<ObservedBehaviour> observed_from_json(const json& in) {
  try {
    ObservedBehaviour observed;
    observed.syscalls = in.at("syscalls").get<std::vector<std::string>>();
    for (const json& file : in.at("files")) {
      observed.files.push_back({file.at("path").get<std::string>(), file.at("write").get<bool>(),
                                file.at("inside_view").get<bool>()});
    }
    observed.execs = in.at("execs").get<std::vector<std::string>>();
    observed.endpoints = in.at("endpoints").get<std::vector<std::string>>();
    observed.refused_endpoints =
        in.value("refused_endpoints", json::object()).get<std::map<std::string, std::string>>();
    observed.events = in.at("events").get<uint64_t>();
    const json tools = in.value("tools", json::object());
    for (const auto& [name, behaviour] : tools.items()) {
      auto parsed = BehaviourProfile::from_json(behaviour);
      if (!parsed) return parsed.error();
      observed.tools[name] = std::move(*parsed);
    }
    return observed;
  } catch (const json::exception& error) {
    return Error{std::string("learning run's observations: ") + error.what()};
  }
}

}  // namespace mcpsandbox
