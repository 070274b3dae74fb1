// The plan's seccomp policy compiled to BPF with libseccomp: an allowlist filter and a second,
// allow-by-default filter holding the denials that depend on arguments (terminal ioctls,
// set-id mode bits). Used at run time for custom policies and
// at build time to precompile the default one.
#pragma once

#include <linux/filter.h>

#include <optional>
#include <vector>

#include "launcher/sandbox/setup_error.h"
#include "profiles/plan.h"

namespace mcpsandbox {

struct CompiledSeccomp {
  std::vector<sock_filter> allowlist;
  std::vector<sock_filter> argument_denials;
};

std::optional<SetupError> compile_seccomp(const SeccompPlan& plan, CompiledSeccomp& out);

}  // namespace mcpsandbox
