// From command line to Plan: loads the profile file, applies the command-line grants on top,
// gathers the facts about this invocation (command path, cwd, home, environment) and compiles.
#pragma once

#include "launcher/cli.h"
#include "profiles/plan.h"
#include "profiles/policy/proxy_compiler.h"
#include "profiles/profile.h"
#include "profiles/support/result.h"

namespace mcpsandbox {

// The profile named by --profile (a path or a name, see profile_locator.h) with the
// command-line grants applied on top.
Result<Profile> load_profile(const RunOptions& options);
// `private_tmp`: the launcher-made temporary directory when the sandbox has no mount
// namespace, or empty. `identity` selects the profile's project and user rules.
Result<Plan> build_plan(const RunOptions& options, const Profile& profile,
                        const SessionIdentity& identity, const std::string& private_tmp = "");

}  // namespace mcpsandbox
