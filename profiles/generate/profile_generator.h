// generate_profile(): what `mcpsandbox profile generate` learned about a server -> a profile a
// person can review, in the profile format with a comment on every line saying where it came
// from. Pure: the launcher gathers the facts (tools/list from a sandboxed run, an MCPB bundle's
// manifest, a learning run's observations) and writes the text.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "profiles/generate/observed_behaviour.h"

namespace mcpsandbox {

// An MCPB (formerly DXT) bundle's manifest.json, the parts that shape a profile.
struct BundleManifest {
  std::string name, version, description;
  std::string server_type;  // node, python, binary, uv
  std::vector<std::string> command;  // mcp_config command + args, ${__dirname} resolved
  std::vector<std::string> env_names;  // mcp_config.env keys
  struct UserConfig {
    std::string key, type, title;
    bool sensitive = false;
  };
  std::vector<UserConfig> user_config;
  std::vector<std::string> declared_tools;  // names the manifest lists
};

struct GeneratorInput {
  std::string server;  // a name for the comments: the command or the bundle's name
  std::vector<std::string> command;
  std::vector<std::string> read_only, read_write;  // grants the generation run had
  nlohmann::json tools = nlohmann::json::array();  // tools/list entries
  bool tools_listed = false;  // false: the server could not be asked; tools come from the bundle
  std::optional<ObservedBehaviour> observed;
  std::optional<BundleManifest> bundle;
  std::string pins_file;  // written next to the profile; empty: none
  std::string runtime;    // "node", "python", "static"
  std::vector<std::string> baseline_syscalls;  // the seccomp baseline, for --learn's deny list
  std::vector<std::string> resolvers;  // this machine's DNS servers (/etc/resolv.conf)
};

std::string generate_profile(const GeneratorInput& input);

}  // namespace mcpsandbox
