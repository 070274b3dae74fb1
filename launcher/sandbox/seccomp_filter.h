// L3: installs the plan's seccomp filters, last before exec. The default policy (the baseline
// allowlist and kill set, which almost every launch uses) is compiled to BPF at build time,
// as Firecracker does: generating it with libseccomp costs about 2 ms per launch.
#pragma once

#include <optional>

#include "launcher/sandbox/setup_error.h"
#include "profiles/plan.h"

namespace mcpsandbox {

std::optional<SetupError> load_seccomp_filter(const SeccompPlan& plan);

// True when `plan` is the default policy, served precompiled.
bool is_default_seccomp_policy(const SeccompPlan& plan);

}  // namespace mcpsandbox
