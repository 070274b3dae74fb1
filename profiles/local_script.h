// The server's own code when its command is an interpreter running a script (`node server.js`,
// `node .`, `python3 tools/server.py`, `deno run main.ts`, `bun index.ts`, `uv run server.py`,
// `npm start` in a project, a server under a project's node_modules): `run`,
// `profile generate` and `wrap` make it visible read-only by this one rule, so a local server
// starts on the first try. The grant is the script's project (the nearest directory above it, at
// most three levels, with package.json, pyproject.toml or deno.json), else the script's
// directory, else the script alone: never a home directory or one like it (grant_width.h).
// Pure: the filesystem is asked through the predicates.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "profiles/grant_width.h"

namespace mcpsandbox {

struct LocalScript {
  std::string script;    // absolute and normal
  size_t argument = 0;   // its index in argv
  std::string root;      // what is granted: the project, the script's directory, or the script
  std::string why_root;  // "its project", "its directory", "the script alone (...)"
  bool rewrite_argument = true;  // name it by `script` in argv (not for `npm start`: a verb)
};

// `is_file`: a regular file exists at the path. `exists`: anything does (for project markers
// and grant_width's checks).
std::optional<LocalScript> find_local_script(const std::vector<std::string>& argv, const std::string& cwd,
                                             const std::string& home, const PathExists& exists,
                                             const PathExists& is_file);

}  // namespace mcpsandbox
