#include "launcher/clients/client_configs.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "profiles/loader_variables.h"
#include "profiles/local_script.h"

namespace mcpsandbox {
namespace {

namespace fs = std::filesystem;
using ordered = nlohmann::ordered_json;

struct Candidate {
  const char* client;
  const char* scope;
  const char* relative;  // to the home or the project directory
};

constexpr Candidate kCandidates[] = {
    {"claude-desktop", "user", ".config/Claude/claude_desktop_config.json"},
    {"claude-code", "user", ".claude.json"},
    {"claude-code", "project", ".mcp.json"},
    {"cursor", "user", ".cursor/mcp.json"},
    {"cursor", "project", ".cursor/mcp.json"},
    {"vscode", "user", ".config/Code/User/mcp.json"},
    {"vscode", "project", ".vscode/mcp.json"},
    {"windsurf", "user", ".codeium/windsurf/mcp_config.json"},
};

// JSON pointer tokens escape '~' and '/' (RFC 6901).
std::string pointer_token(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

std::vector<std::string> strings_of(const ordered& value) {
  std::vector<std::string> out;
  if (!value.is_array()) return out;
  for (const auto& item : value) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}

// For `node /opt/app/dist/index.js` or `python3 /opt/tool/server.py`: what `run` would show of
// the script (its project, its directory or itself; never a home), by the same rule.
std::string script_root_of(const ServerEntry& entry) {
  std::vector<std::string> argv = {entry.command};
  argv.insert(argv.end(), entry.args.begin(), entry.args.end());
  const char* home = ::getenv("HOME");
  auto exists = [](const std::string& path) {
    std::error_code error;
    return fs::exists(fs::symlink_status(path, error));
  };
  auto is_file = [](const std::string& path) {
    std::error_code error;
    return fs::is_regular_file(path, error);
  };
  // Clients start servers from a directory of their own: only an absolute script is known.
  auto script = find_local_script(argv, "/", home ? home : "", exists, is_file);
  return script ? script->root : "";
}

ServerEntry entry_of(const std::string& name, const ordered& server) {
  ServerEntry entry;
  entry.name = name;
  std::string type = server.value("type", "stdio");
  if (server.contains("url") || server.contains("serverUrl")) entry.transport = type == "sse" ? "sse" : "http";
  else entry.transport = type == "streamable-http" ? "http" : type;
  entry.command = server.value("command", "");
  entry.args = strings_of(server.value("args", ordered::array()));
  if (server.contains("env") && server["env"].is_object()) {
    for (const auto& [key, value] : server["env"].items()) {
      if (is_loader_variable(key) && value.is_string()) {
        entry.loader_env.emplace_back(key, value.get<std::string>());
        continue;
      }
      entry.env_names.push_back(key);
      if (key == "MEMORY_FILE_PATH" && value.is_string()) entry.data_env[key] = value.get<std::string>();
    }
  }
  entry.url = server.value("url", server.value("serverUrl", ""));
  entry.script_root = script_root_of(entry);
  return entry;
}

}  // namespace

const std::vector<std::string>& known_clients() {
  static const std::vector<std::string> kClients = {"claude-desktop", "claude-code", "cursor", "vscode", "windsurf"};
  return kClients;
}

std::vector<ConfigFile> find_config_files(const std::string& client, const std::string& home,
                                          const std::string& project) {
  std::vector<ConfigFile> found;
  for (const Candidate& candidate : kCandidates) {
    if (client != "all" && client != candidate.client) continue;
    const std::string& base = std::string(candidate.scope) == "user" ? home : project;
    if (base.empty()) continue;
    fs::path path = fs::path(base) / candidate.relative;
    // ~/.cursor/mcp.json is both the user file and, run from home, the project one.
    bool duplicate = false;
    for (const auto& seen : found) duplicate = duplicate || fs::path(seen.path) == path;
    std::error_code error;
    if (!duplicate && fs::is_regular_file(path, error)) found.push_back({candidate.client, candidate.scope, path.string()});
  }
  return found;
}

Result<LoadedConfig> LoadedConfig::load(const ConfigFile& file) {
  std::ifstream in(file.path, std::ios::binary);
  if (!in) return Error{"cannot read " + file.path};
  std::ostringstream text;
  text << in.rdbuf();
  LoadedConfig loaded;
  loaded.file_ = file;
  loaded.original_ = text.str();
  // VS Code's files are JSONC: comments are accepted here (and dropped on rewrite; the backup
  // keeps them, and unwrap restores it byte for byte).
  loaded.json_ = ordered::parse(loaded.original_, nullptr, false, true);
  if (loaded.json_.is_discarded() || !loaded.json_.is_object()) {
    return Error{file.path + ": not a JSON object (left untouched)"};
  }
  return loaded;
}

std::vector<LoadedConfig::Located> LoadedConfig::servers() const {
  std::vector<Located> out;
  auto add_list = [&](const ordered& list, const std::string& pointer, const std::string& scope) {
    if (!list.is_object()) return;
    for (const auto& [name, server] : list.items()) {
      if (server.is_object()) out.push_back({pointer + "/" + pointer_token(name), scope, entry_of(name, server)});
    }
  };
  const char* key = file_.client == "vscode" ? "servers" : "mcpServers";
  if (json_.contains(key)) add_list(json_[key], std::string("/") + key, file_.scope);
  if (file_.client == "claude-code" && json_.contains("projects") && json_["projects"].is_object()) {
    for (const auto& [dir, project] : json_["projects"].items()) {
      if (project.is_object() && project.contains("mcpServers")) {
        add_list(project["mcpServers"], "/projects/" + pointer_token(dir) + "/mcpServers", "project " + dir);
      }
    }
  }
  return out;
}

void LoadedConfig::set_command(const std::string& pointer, const std::string& command,
                               const std::vector<std::string>& args) {
  ordered& server = json_[ordered::json_pointer(pointer)];
  server["command"] = command;
  server["args"] = args;
}

void LoadedConfig::remove_env(const std::string& pointer, const std::vector<std::string>& names) {
  ordered& server = json_[ordered::json_pointer(pointer)];
  if (!server.contains("env") || !server["env"].is_object()) return;
  for (const auto& name : names) server["env"].erase(name);
}

void LoadedConfig::set_env(const std::string& pointer,
                           const std::vector<std::pair<std::string, std::string>>& variables) {
  if (variables.empty()) return;
  ordered& server = json_[ordered::json_pointer(pointer)];
  if (!server.contains("env") || !server["env"].is_object()) server["env"] = ordered::object();
  for (const auto& [name, value] : variables) server["env"][name] = value;
}

std::string LoadedConfig::text() const { return json_.dump(2) + "\n"; }

}  // namespace mcpsandbox
