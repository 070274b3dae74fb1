// The server's filesystem view: a fresh tmpfs root holding read-only binds of the system
// directories and minimal /etc, the profile's read-only and read-write paths, overlays, a
// private /tmp, a fresh /proc and a minimal /dev; then pivot_root into it. Built fd-relative with
// the new mount API: every host path is opened with RESOLVE_NO_SYMLINKS, so a symlink planted on
// the host can never redirect a mount.
#pragma once

#include <optional>
#include <vector>

#include "launcher/sandbox/setup_error.h"
#include "profiles/plan.h"

namespace mcpsandbox {

// Runs in the sandboxed child, inside its new user and mount namespaces (and pid namespace,
// for /proc), before any privilege is dropped. Each of `empty_until_granted` (beneath a granted
// path) is covered by an empty read-only tmpfs: per-call mounts bind granted paths into it.
// /tmp, /dev/shm and the overlays' scratch space are sized by `limits`.
std::optional<SetupError> build_root_and_pivot(const std::vector<PathGrant>& paths,
                                               const ResourceLimits& limits,
                                               const std::vector<std::string>& empty_until_granted);

}  // namespace mcpsandbox
