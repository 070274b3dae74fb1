// L2: Landlock rules that mirror the filesystem view of the plan (so the view holds even with
// the mount layer off), TCP bind/connect limited to granted ports, and abstract unix sockets and
// signals scoped to the sandbox. Rights are masked to what the running kernel's ABI knows.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "launcher/sandbox/setup_error.h"
#include "profiles/plan.h"

namespace mcpsandbox {

struct LandlockTarget {
  int abi = 0;             // the kernel's ABI (kernel::landlock::abi_version())
  bool namespaced = true;  // the sandbox's own /proc, /dev and /tmp exist
};

std::optional<SetupError> apply_landlock(const Plan& plan, const LandlockTarget& target);

}  // namespace mcpsandbox
