// Who is running this session: the invoking uid, plus the project of a gateway key presented
// in MCPSANDBOX_KEY or a --key-file (never on the command line, where `ps` shows it).
#pragma once

#include <string>

#include "launcher/cli.h"
#include "profiles/policy/proxy_compiler.h"
#include "profiles/profile.h"

namespace mcpsandbox {

struct SessionAuth {
  SessionIdentity identity;
  bool authenticated = true;  // false: refuse every request (refusal_reason says why)
  std::string refusal_reason;
  std::string key_store;      // the store consulted, if a key was presented
};

Result<SessionAuth> authenticate_session(const Profile& profile, const RunOptions& options);

}  // namespace mcpsandbox
