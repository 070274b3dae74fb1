// From command line to Plan: loads the profile file, applies the command-line grants on top,
// gathers the facts about this invocation (command path, cwd, home, environment) and compiles.
#pragma once

#include "launcher/cli.h"
#include "profiles/plan.h"
#include "profiles/profile.h"
#include "profiles/support/result.h"

namespace mcpsandbox {

Result<Profile> load_profile(const RunOptions& options);
Result<Plan> build_plan(const RunOptions& options);

}  // namespace mcpsandbox
