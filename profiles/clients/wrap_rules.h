// How `mcpsandbox wrap` rewrites one MCP client server entry, and how `unwrap` and `scan`
// recognise a wrapped one. Pure: which built-in profile a server gets, which directories it
// is granted and which environment variables it keeps are policy decisions, made here once.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "profiles/grant_width.h"

namespace mcpsandbox {

// One server as a client configuration lists it.
struct ServerEntry {
  std::string name;
  std::string transport = "stdio";  // stdio, http, sse (only stdio servers can be sandboxed)
  std::string command;
  std::vector<std::string> args;
  std::vector<std::string> env_names;  // keys of the entry's "env": passed through the sandbox
  // The entry's loader variables (LD_PRELOAD...) with their values: never left on mcpsandbox's
  // own environment, where they would load code into the unsandboxed launcher.
  std::vector<std::pair<std::string, std::string>> loader_env;
  // Values of the variables that name where a known server keeps its data (MEMORY_FILE_PATH).
  std::map<std::string, std::string> data_env;
  std::string url;          // remote servers: where they are
  // The project directory of a script the command runs (`node /opt/app/dist/index.js` ->
  // /opt/app, found by the launcher: nearest package.json or pyproject.toml, else the script's
  // directory); granted read-only so the wrapped server still finds its code.
  std::string script_root;
};

struct WrapDecision {
  bool wrap = false;
  std::string reason;   // why this profile, or why not wrapped
  std::string profile;  // a built-in profile name
  std::vector<std::string> run_options;  // --rw DIR, --env NAME ...
  std::vector<std::string> moved_env;    // removed from the entry's env: given as --env NAME=VALUE
  std::vector<std::string> make_directories;  // data directories wrap creates (0700) for the grants
};

// What wrap needs to know of the machine: never grant a home directory or anything like it
// (profiles/grant_width.h).
struct WrapContext {
  std::string home;
  PathExists exists = [](const std::string&) { return false; };
};

WrapDecision decide_wrap(const ServerEntry& entry, const WrapContext& context = {});

// `mcpsandbox run ... -- COMMAND ARGS` with mcpsandbox as the command: the entry's new args.
std::vector<std::string> wrapped_args(const WrapDecision& decision, const ServerEntry& entry);

// Is this entry already running through mcpsandbox (any path to a binary named mcpsandbox,
// first argument `run`, a `--`)? If so, `profile` gets its --profile (or "default").
bool is_wrapped(const ServerEntry& entry, std::string* profile = nullptr);

// The entry as it was before wrap: the command and arguments after `--`, and the loader
// variables wrap moved into `--env NAME=VALUE` back in `loader_env`.
ServerEntry unwrapped(const ServerEntry& entry);

}  // namespace mcpsandbox
