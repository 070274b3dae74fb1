// Where each MCP client keeps its server list on Linux, and reading and rewriting those files.
// Formats (each client's documentation):
//   claude-desktop  ~/.config/Claude/claude_desktop_config.json            {"mcpServers": {...}}
//   claude-code     ~/.claude.json (user: "mcpServers", and per project: "projects"."DIR"."mcpServers"),
//                   PROJECT/.mcp.json                                      {"mcpServers": {...}}
//   cursor          ~/.cursor/mcp.json, PROJECT/.cursor/mcp.json           {"mcpServers": {...}}
//   vscode          ~/.config/Code/User/mcp.json, PROJECT/.vscode/mcp.json {"servers": {...}} (JSONC)
//   windsurf        ~/.codeium/windsurf/mcp_config.json                    {"mcpServers": {...}}
// A server entry is {"command", "args", "env"} (stdio), or has "url"/"serverUrl" or a "type"
// other than stdio (remote: nothing to sandbox).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "profiles/clients/wrap_rules.h"
#include "profiles/support/result.h"

namespace mcpsandbox {

const std::vector<std::string>& known_clients();  // claude-desktop, claude-code, cursor, vscode, windsurf

struct ConfigFile {
  std::string client;
  std::string scope;  // "user" or "project"
  std::string path;
};

// The configuration files of `client` ("all" for every client) that exist, for this home and
// project directory.
std::vector<ConfigFile> find_config_files(const std::string& client, const std::string& home,
                                          const std::string& project);

// One loaded file: its bytes, its JSON (key order kept) and where its server lists are.
class LoadedConfig {
 public:
  static Result<LoadedConfig> load(const ConfigFile& file);

  struct Located {
    std::string pointer;  // JSON pointer of the server's object, e.g. /mcpServers/fs
    std::string scope;    // "user", "project", or "project DIR" inside ~/.claude.json
    ServerEntry entry;
  };
  std::vector<Located> servers() const;
  // Replaces the command and args of the server at `pointer`.
  void set_command(const std::string& pointer, const std::string& command, const std::vector<std::string>& args);
  // Removes these variables from the server's "env" (wrap moves loader variables behind --).
  void remove_env(const std::string& pointer, const std::vector<std::string>& names);
  // Sets these variables in the server's "env" (unwrap puts moved ones back).
  void set_env(const std::string& pointer, const std::vector<std::pair<std::string, std::string>>& variables);
  std::string text() const;  // the JSON as it will be written (2-space indent, key order kept)
  const std::string& original_text() const { return original_; }
  const ConfigFile& file() const { return file_; }

 private:
  ConfigFile file_;
  std::string original_;
  nlohmann::ordered_json json_;
};

}  // namespace mcpsandbox
