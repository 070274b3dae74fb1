// Refusal: why the policy engine will not let a message through, as it reaches the peer (a
// JSON-RPC error with a stable code, a one-line message and data naming the rule).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace mcpsandbox {

struct Refusal {
  int code;
  std::string rule;     // stable name: "tools.deny", "arguments.path", "flows.<name>"...
  std::string message;  // one line for the client and the log
  nlohmann::json details = nlohmann::json::object();  // extra "data" members (retry_after_ms)
};

}  // namespace mcpsandbox
