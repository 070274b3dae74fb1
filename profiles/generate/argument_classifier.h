// What a tool argument carries, judged from its name, its JSON Schema `format` and its
// description: a filesystem path, a URL, a command line, or nothing the sandbox cares about.
// Used by `profile generate` to put constraints on the arguments that need them.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace mcpsandbox {

struct ArgumentKind {
  enum class Kind { kOther, kPath, kUrl, kCommand } kind = Kind::kOther;
  std::string reason;  // "by name", "format: uri", "description mentions a path"
};

// `schema` is the argument's property schema in the tool's inputSchema. Only strings and arrays
// of strings can carry a path, URL or command.
ArgumentKind classify_argument(const std::string& name, const nlohmann::json& schema);

}  // namespace mcpsandbox
