// Path spelling helpers shared by the sandbox compiler and the proxy-policy compiler.
#pragma once

#include <string>
#include <string_view>

#include "profiles/support/result.h"

namespace mcpsandbox {

// "~" and "~/x" -> under `home`; anything else unchanged.
std::string expand_home(const std::string& path, const std::string& home);

// Lexically normalises a path to an absolute one ("~/a/./b/../c/" -> "/home/u/a/c"); relative
// paths are taken from `cwd`. Symlinks are not resolved here (that needs the filesystem).
Result<std::string> normalize_path(const std::string& raw, const std::string& home,
                                   const std::string& cwd);

// "/a/./b//../c/" -> "/a/c" for an absolute path, without touching the filesystem.
std::string lexical_normal(std::string_view absolute_path);

// The last component ("/a/b" -> "b"; a name without '/' is itself).
std::string base_name(std::string_view path);

// The directory above an absolute path ("/a/b" -> "/a", "/a" -> "/"; "/" and a name without '/'
// -> "/").
std::string parent_directory(std::string_view path);

// `path` is `root` or lies below it (both absolute and normal); everything is under "/".
bool path_is_under(std::string_view path, std::string_view root);

}  // namespace mcpsandbox
