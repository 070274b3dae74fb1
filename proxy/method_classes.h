// Which messages mcpsandbox can classify: every method of every MCP revision it speaks (the
// legacy ones through 2025-11-25 and 2026-07-28), by exact name (methods are case-sensitive),
// as the kind and direction the specification gives it. A request method sent as a
// notification, or a notification method sent as a request, is the wrong kind; a method no
// revision defines is unknown. The relay refuses both (the profile may pass unknown methods,
// never a look-alike of one the policy judges: "Tools/Call", "tools/call ").
#pragma once

#include <string>
#include <string_view>

namespace mcpsandbox {

enum class Sender { kClient, kServer };

struct MethodClass {
  enum class Verdict { kKnown, kWrongKind, kUnknown, kLookAlike } verdict;
  std::string reason;  // why not kKnown, one line
};

MethodClass classify_method(Sender from, std::string_view method, bool is_request);

}  // namespace mcpsandbox
