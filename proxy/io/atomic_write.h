// Replacing a small file so that a reader (or a crash) sees the old contents or the new, never
// half of either: write a temporary next to it, fsync, rename over. Pin files and key stores.
#pragma once

#include <string>
#include <sys/types.h>

#include "profiles/support/result.h"

namespace mcpsandbox {

Result<void> write_file_atomically(const std::string& path, const std::string& text, mode_t mode);

}  // namespace mcpsandbox
