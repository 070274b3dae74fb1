// From command line to Plan: loads the profile file, applies the command-line grants on top,
// gathers the facts about this invocation (command path, cwd, home, environment) and compiles.
#pragma once

#include "launcher/cli.h"
#include "profiles/plan.h"
#include "profiles/profile.h"
#include "profiles/support/result.h"

namespace mcpsandbox {

Result<Profile> load_profile(const RunOptions& options);
// `private_tmp`: the launcher-made temporary directory when the sandbox has no mount
// namespace, or empty.
Result<Plan> build_plan(const RunOptions& options, const std::string& private_tmp = "");

}  // namespace mcpsandbox
