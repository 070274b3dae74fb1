// L3: the plan's seccomp policy as a libseccomp filter, loaded last before exec.
#pragma once

#include <optional>

#include "launcher/sandbox/setup_error.h"
#include "profiles/plan.h"

namespace mcpsandbox {

std::optional<SetupError> load_seccomp_filter(const SeccompPlan& plan);

}  // namespace mcpsandbox
