// compile(): Profile + facts about the invocation -> Plan. Pure: it reads no files and makes
// no system calls, so every policy decision is unit-tested here and nowhere else.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "profiles/local_script.h"
#include "profiles/plan.h"
#include "profiles/policy/proxy_compiler.h"
#include "profiles/profile.h"
#include "profiles/support/result.h"

namespace mcpsandbox {

// What the launcher found out about this invocation before compiling.
struct Invocation {
  std::vector<std::string> argv;
  std::string resolved_command;  // argv[0] found on the host PATH, symlinks resolved
  // The installation the command belongs to when it is more than its directory: a Python
  // virtual environment (`uv tool`, pipx, a project's .venv), whose bin/ alone cannot run.
  std::string command_environment;
  std::string cwd;
  std::string home;
  std::map<std::string, std::string> environment;
  // Without a mount namespace there is no private /tmp: the launcher makes this directory
  // instead and the server gets it as TMPDIR (empty when namespaces are used).
  std::string private_tmp;
  // Who runs this session: resolves the profile's project and user rules.
  SessionIdentity identity;
  // The script an interpreter runs, and what of it to show (local_script.h), when there is one.
  std::optional<LocalScript> local_script;
};

Result<Plan> compile(const Profile& profile, const Invocation& invocation);

// The runtime preset a command gets when the profile says "auto".
Runtime detect_runtime(const Invocation& invocation);

}  // namespace mcpsandbox
