// The session's policy store, checked against what its sandbox will reach before the server
// starts: the profile, the key store and the pins must stay out of the server's writable view,
// the key file and the secrets' files out of its view altogether (see store_path.h).
#pragma once

#include "launcher/cli.h"
#include "launcher/store/sandbox_reach.h"
#include "launcher/store/store_path.h"
#include "profiles/plan.h"
#include "profiles/profile.h"
#include "profiles/support/result.h"

namespace mcpsandbox {

// Refuses a store file the sandbox of `plan` could change or (for keys and secrets) read;
// rewrites the plan's pin and secret-file paths to the real paths the session will open.
Result<void> guard_session_store(const RunOptions& options, const Profile& profile,
                                 const SandboxReach& reach, Plan& plan);

// `raw` as an absolute path (from HOME and the working directory), then guarded.
Result<std::string> guard_store_spelling(const std::string& raw, StoreRule rule,
                                         const std::string& what, const SandboxReach& reach,
                                         bool writes_beside = false);

}  // namespace mcpsandbox
