// Grants wider than any server needs (profiles/grant_width.h), judged for a plan on this host:
// by the path as granted and by identity, so a bind mount of ~/.ssh elsewhere or a HOME spelled
// through a symlink does not make a home's files a narrow grant.
#pragma once

#include <string>
#include <vector>

#include "launcher/store/mount_table.h"
#include "profiles/plan.h"
#include "profiles/support/result.h"

namespace mcpsandbox {

// Refuses a user grant (profile or --ro/--rw) that is too wide unless `allowed` names it (its
// normal path); narrows the server command's own directory to the command file where that
// directory is too wide (a binary in the home directory must not bring the home along).
Result<void> narrow_wide_grants(Plan& plan, const std::vector<std::string>& allowed, const std::string& home,
                                const std::string& command, const MountTable& mounts);

}  // namespace mcpsandbox
