// Reading policy inputs (profiles, key stores, secret files) so that neither the sandboxed
// server nor, in managed mode, the invoking user could have written them. The file is opened
// once and checked through its own fd, so what is checked is what is read.
#pragma once

#include <string>
#include <vector>

#include "profiles/plan.h"
#include "profiles/support/result.h"

namespace mcpsandbox {

inline constexpr const char* kManagedDir = "/etc/mcpsandbox";

struct TrustedFile {
  std::string path;  // as resolved (realpath)
  std::string text;
  bool managed = false;  // under /etc/mcpsandbox
};

// Reads `path`; in managed mode (under /etc/mcpsandbox) refuses a file or parent directory that
// is not root-owned or is group/world-writable, unless the invoker is root anyway. A missing
// file is an error naming `what`.
Result<TrustedFile> read_trusted_file(const std::string& path, const std::string& what);

}  // namespace mcpsandbox
