// What a server's last stderr lines say about the sandbox when it exits before answering: a
// path it looked for that exists on the host but not in its view ("the sandbox hid ..."), or
// one it could not write in a read-only grant, with the flag that would grant it. Read from
// the server's own words: the kernel layers here do not report what Landlock or the mount view
// refused.
#pragma once

#include <string>
#include <vector>

#include "profiles/plan.h"

namespace mcpsandbox {

// One line of advice, or "" when the lines name nothing the sandbox kept from the server.
std::string diagnose_server_exit(const Plan& plan, const std::string& home, const std::vector<std::string>& stderr_tail);

}  // namespace mcpsandbox
