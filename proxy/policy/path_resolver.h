// PathResolver: how the proxy learns what a path argument will mean to the server. The proxy
// knows nothing of the kernel; the launcher supplies a resolver that follows symlinks inside
// the sandbox's own root, so "link -> /etc" is judged by where it leads for the server.
#pragma once

#include <string>
#include <string_view>

#include "profiles/support/result.h"

namespace mcpsandbox {

class PathResolver {
 public:
  virtual ~PathResolver() = default;
  // `path` is absolute and lexically normal. Returns it with every existing symlink resolved
  // (as the server would see it); components that do not exist yet are kept as written.
  virtual Result<std::string> resolve(const std::string& path) const = 0;
};

// Resolves nothing: for tests and for a server with no view of its own.
class LexicalPathResolver final : public PathResolver {
 public:
  Result<std::string> resolve(const std::string& path) const override { return path; }
};

}  // namespace mcpsandbox
