// Glob matching for policy lists (tool names, resource URIs, prompt names, path deny rules).
// `*` matches any run of characters except '/', `**` matches anything including '/', `?` one
// character except '/'. No character classes: policy globs stay readable, and a literal '['
// in a tool name is matched as itself.
#pragma once

#include <cstddef>
#include <string_view>

namespace mcpsandbox {

// Longer text never matches (the memo is pattern x text); callers bound what they match, e.g.
// a path argument longer than PATH_MAX is refused before any glob sees it.
inline constexpr size_t kMaxGlobText = 64 * 1024;

bool glob_match(std::string_view pattern, std::string_view text);

}  // namespace mcpsandbox
