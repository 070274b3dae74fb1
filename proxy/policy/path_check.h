// Checking a path argument against a PathConstraint: percent-decoding (file: URIs), NUL bytes,
// "~", relative paths, "..", ".", repeated slashes, then symlinks as the server sees them; the
// result must lie inside a root and match no deny glob.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "profiles/proxy_plan.h"
#include "proxy/policy/path_resolver.h"

namespace mcpsandbox {

// Lexically normal absolute form of a path argument, or why it cannot be one.
Result<std::string> normalize_argument_path(std::string_view value, const std::string& base,
                                            const std::string& home);

// Empty when allowed; otherwise the reason.
std::optional<std::string> check_path(std::string_view value, const PathConstraint& constraint,
                                      const PathResolver& resolver, const std::string& home);

}  // namespace mcpsandbox
