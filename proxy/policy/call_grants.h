// The call-scoped grants one tools/call carries: its tool's `grants` rules applied to the
// validated arguments. Paths are judged as the server will see them (the same normalisation and
// in-sandbox symlink resolution as path constraints); URLs give host and port.
#pragma once

#include <simdjson.h>

#include <string>
#include <vector>

#include "profiles/proxy_plan.h"
#include "profiles/support/result.h"
#include "proxy/call_scope.h"
#include "proxy/policy/path_resolver.h"

namespace mcpsandbox {

// An error names the argument and why no grant can be made from it (the call is refused).
Result<CallGrants> call_grants_for(const std::vector<CallGrantRule>& rules,
                                   const std::vector<std::string>& exec, simdjson::dom::element arguments,
                                   const PathResolver& resolver, const std::string& base,
                                   const std::string& home);

}  // namespace mcpsandbox
