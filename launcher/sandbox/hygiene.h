// L0: what every sandboxed process gets regardless of kernel features: resource limits, no
// capabilities in any set (bounding and ambient included) with the securebits locked, and
// no_new_privs so no exec (setuid, file capabilities) can hand privileges back.
#pragma once

#include <optional>

#include "launcher/sandbox/setup_error.h"
#include "profiles/plan.h"

namespace mcpsandbox {

// Defaults when the profile sets none: a fork bomb and a memory bomb stay contained.
inline constexpr uint64_t kDefaultMaxProcesses = 512;
inline constexpr uint64_t kDefaultMaxOpenFiles = 4096;
inline constexpr uint64_t kDefaultMemoryBytes = 4ull << 30;

std::optional<SetupError> apply_resource_limits(const ResourceLimits& limits);
// `have_caps`: the process holds capabilities to give up (inside its user namespace, or root).
std::optional<SetupError> drop_privileges(bool have_caps);

}  // namespace mcpsandbox
