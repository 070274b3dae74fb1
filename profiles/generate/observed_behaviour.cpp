#include "profiles/generate/observed_behaviour.h"

namespace mcpsandbox {

using nlohmann::json;

json observed_to_json(const ObservedBehaviour& observed) {
  json files = json::array();
  for (const auto& file : observed.files) {
    files.push_back({{"path", file.path}, {"write", file.write}, {"inside_view", file.inside_view}});
  }
  return {{"syscalls", observed.syscalls}, {"files", files},     {"execs", observed.execs},
          {"endpoints", observed.endpoints}, {"events", observed.events}};
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
    observed.events = in.at("events").get<uint64_t>();
    return observed;
  } catch (const json::exception& error) {
    return Error{std::string("learning run's observations: ") + error.what()};
  }
}

}  // namespace mcpsandbox
