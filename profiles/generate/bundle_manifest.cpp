#include "profiles/generate/bundle_manifest.h"

#include <nlohmann/json.hpp>

namespace mcpsandbox {
namespace {

using nlohmann::json;

// Replaces the placeholders MCPB defines in command and args; an unknown ${user_config.KEY}
// is left in place and reported.
std::string resolve(std::string text, const BundlePlaceholders& values, std::vector<std::string>& unresolved) {
  std::string out;
  size_t at = 0;
  while (true) {
    size_t open = text.find("${", at);
    if (open == std::string::npos) break;
    size_t close = text.find('}', open);
    if (close == std::string::npos) break;
    out += text.substr(at, open - at);
    std::string name = text.substr(open + 2, close - open - 2);
    std::string whole = text.substr(open, close - open + 1);
    if (name == "__dirname") out += values.bundle_dir;
    else if (name == "HOME") out += values.home;
    else if (name == "/" || name == "pathSeparator") out += "/";
    else if (name.rfind("user_config.", 0) == 0) {
      auto found = values.user_config.find(name.substr(12));
      if (found != values.user_config.end()) {
        out += found->second;
      } else {
        unresolved.push_back(name.substr(12));
        out += whole;
      }
    } else {
      out += whole;
    }
    at = close + 1;
  }
  return out + text.substr(at);
}

}  // namespace

Result<ParsedBundle> parse_bundle_manifest(std::string_view text, const BundlePlaceholders& placeholders) {
  json manifest = json::parse(text, nullptr, false);
  if (manifest.is_discarded() || !manifest.is_object()) return Error{"manifest.json: not a JSON object"};
  if (!manifest.contains("manifest_version") && !manifest.contains("dxt_version")) {
    return Error{"manifest.json: no manifest_version (or dxt_version): not an MCPB bundle manifest"};
  }
  try {
    ParsedBundle parsed;
    BundleManifest& bundle = parsed.manifest;
    bundle.name = manifest.at("name").get<std::string>();
    bundle.version = manifest.value("version", "");
    bundle.description = manifest.value("description", "");
    const json& server = manifest.at("server");
    bundle.server_type = server.value("type", "");
    const json& config = server.at("mcp_config");
    bundle.command.push_back(resolve(config.at("command").get<std::string>(), placeholders, parsed.unresolved));
    const json args = config.value("args", json::array());
    for (const json& arg : args) {
      bundle.command.push_back(resolve(arg.get<std::string>(), placeholders, parsed.unresolved));
    }
    const json env = config.value("env", json::object());
    for (const auto& [name, value] : env.items()) bundle.env_names.push_back(name);
    const json user_config = manifest.value("user_config", json::object());
    for (const auto& [key, field] : user_config.items()) {
      bundle.user_config.push_back({key, field.value("type", "string"), field.value("title", key),
                                    field.value("sensitive", false)});
    }
    const json tools = manifest.value("tools", json::array());
    for (const json& tool : tools) {
      bundle.declared_tools.push_back(tool.at("name").get<std::string>());
    }
    return parsed;
  } catch (const json::exception& error) {
    return Error{std::string("manifest.json: ") + error.what()};
  }
}

}  // namespace mcpsandbox
