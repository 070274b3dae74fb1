// SandboxPathResolver: resolves path arguments the way the sandboxed server will, by following
// symlinks inside the sandbox's own root (/proc/<pid>/root) one component at a time. A link
// "/work/x -> /etc" is judged by where it leads, not by how it is spelled. The kernel layers
// still hold if the server swaps a link between this check and its open() (Landlock, mounts).
#pragma once

#include <sys/types.h>

#include "proxy/io/unique_fd.h"
#include "proxy/policy/path_resolver.h"

namespace mcpsandbox {

class SandboxPathResolver final : public PathResolver {
 public:
  // `pid` is a process inside the sandbox (its init). The root is opened on first use: while
  // the sandbox is still being set up the kernel refuses access to it (not yet dumpable).
  explicit SandboxPathResolver(pid_t pid) : pid_(pid) {}
  Result<std::string> resolve(const std::string& path) const override;

 private:
  Result<int> root() const;

  pid_t pid_;
  mutable UniqueFd root_;  // O_PATH of the sandbox's "/"
};

}  // namespace mcpsandbox
