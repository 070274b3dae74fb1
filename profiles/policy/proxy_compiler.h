// Resolves a profile's protocol-layer policy for one session identity into a ProxyPlan. Pure.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "profiles/profile.h"
#include "profiles/proxy_plan.h"
#include "profiles/support/result.h"

namespace mcpsandbox {

struct SessionIdentity {
  uint32_t uid = 0;
  std::string user;     // login name of uid, "" if unknown
  std::string project;  // from a valid gateway key; "" without one
};

struct ProxyCompileInput {
  SessionIdentity identity;
  std::string home, cwd, server_cwd;
  // The profile's own filesystem grants (absolute, normalised): the roots of `"path": true`.
  std::vector<std::string> filesystem_roots;
  std::map<std::string, std::string> environment;  // for "env:" secrets
};

struct ProxyCompileOutput {
  ProxyPlan plan;
  std::vector<std::pair<std::string, std::string>> secret_env;    // name -> value
  std::vector<std::pair<std::string, std::string>> secret_files;  // name -> file to read
};

Result<ProxyCompileOutput> compile_proxy_plan(const ProxyPolicy& policy,
                                              const ProxyCompileInput& input);

}  // namespace mcpsandbox
