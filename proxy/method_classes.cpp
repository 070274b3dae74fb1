#include "proxy/method_classes.h"

#include "proxy/policy/text_cleaner.h"

#include <algorithm>
#include <cctype>

namespace mcpsandbox {
namespace {

// Who may send each method, and as what.
struct Method {
  std::string_view name;
  bool client_request, client_notification, server_request, server_notification;
};

constexpr Method kMethods[] = {
    // Lifecycle and discovery.
    {"initialize", true, false, false, false},
    {"ping", true, false, true, false},
    {"server/discover", true, false, false, false},
    {"notifications/initialized", false, true, false, false},
    {"notifications/cancelled", false, true, false, true},
    {"notifications/progress", false, true, false, true},
    // Server features.
    {"tools/list", true, false, false, false},
    {"tools/call", true, false, false, false},
    {"resources/list", true, false, false, false},
    {"resources/templates/list", true, false, false, false},
    {"resources/read", true, false, false, false},
    {"resources/subscribe", true, false, false, false},
    {"resources/unsubscribe", true, false, false, false},
    {"prompts/list", true, false, false, false},
    {"prompts/get", true, false, false, false},
    {"completion/complete", true, false, false, false},
    {"logging/setLevel", true, false, false, false},
    {"subscriptions/listen", true, false, false, false},
    {"notifications/tools/list_changed", false, false, false, true},
    {"notifications/resources/list_changed", false, false, false, true},
    {"notifications/resources/updated", false, false, false, true},
    {"notifications/prompts/list_changed", false, false, false, true},
    {"notifications/message", false, false, false, true},
    {"notifications/elicitation/complete", false, false, false, true},
    // Client features the server asks for (legacy revisions).
    {"sampling/createMessage", false, false, true, false},
    {"elicitation/create", false, false, true, false},
    {"roots/list", false, false, true, false},
    {"notifications/roots/list_changed", false, true, false, false},
    // Tasks (2025-11-25 core, the 2026-07-28 extension): either side may be the requestor.
    {"tasks/get", true, false, true, false},
    {"tasks/result", true, false, true, false},
    {"tasks/list", true, false, true, false},
    {"tasks/cancel", true, false, true, false},
    {"tasks/update", true, false, true, false},
    {"notifications/tasks/status", false, true, false, true},
};

// What a careless or hostile name reduces to: its ASCII letters and digits, lower case, with
// full-width forms read as ASCII; blanks, punctuation, controls and every other character (zero
// width, no-break space, soft hyphen...) dropped. "Tools/Call", "tools_call", "tools/\u2060call"
// and "tools\uff0fcall" all reduce to "toolscall".
std::string folded(std::string_view method) {
  std::string out;
  for (size_t i = 0; i < method.size();) {
    size_t length = 1;
    uint32_t point = decode_utf8(method, i, length);
    i += length;
    if (point >= 0xFF01 && point <= 0xFF5E) point -= 0xFF01 - 0x21;  // full-width ASCII
    if (point < 0x80 && std::isalnum(static_cast<int>(point))) out += static_cast<char>(std::tolower(static_cast<int>(point)));
  }
  return out;
}

bool plain_ascii(std::string_view method) {
  for (char c : method) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return !method.empty();
}

}  // namespace

MethodClass classify_method(Sender from, std::string_view method, bool is_request) {
  const char* who = from == Sender::kClient ? "the client" : "the server";
  for (const Method& known : kMethods) {
    if (known.name != method) continue;
    bool as_request = from == Sender::kClient ? known.client_request : known.server_request;
    bool as_notification = from == Sender::kClient ? known.client_notification : known.server_notification;
    if (is_request ? as_request : as_notification) return {MethodClass::Verdict::kKnown, ""};
    std::string kind = (as_request || as_notification) ? (is_request ? "a notification" : "a request")
                                                       : "not " + std::string(who) + "'s to send";
    return {MethodClass::Verdict::kWrongKind,
            "'" + std::string(method) + "' is " + kind + ", sent by " + who + " as " +
                (is_request ? "a request" : "a notification")};
  }
  if (!plain_ascii(method)) {  // no revision's method has a blank, a control or a non-ASCII character
    return {MethodClass::Verdict::kLookAlike,
            "'" + std::string(method) + "' holds characters no MCP method has (only printable ASCII)"};
  }
  std::string key = folded(method);
  for (const Method& known : kMethods) {
    if (folded(known.name) == key) {
      return {MethodClass::Verdict::kLookAlike,
              "'" + std::string(method) + "' is not '" + std::string(known.name) +
                  "' (methods are exact and case-sensitive)"};
    }
  }
  return {MethodClass::Verdict::kUnknown,
          "no MCP revision defines the method '" + std::string(method) + "'"};
}

}  // namespace mcpsandbox
