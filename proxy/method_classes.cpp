#include "proxy/method_classes.h"

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

// What a careless or hostile name reduces to: lower case, without blanks, controls and the
// invisible characters a terminal would not show.
std::string folded(std::string_view method) {
  std::string out;
  for (size_t i = 0; i < method.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(method[i]);
    if (c <= 0x20 || c == 0x7f) continue;
    if (c == 0xe2 && i + 2 < method.size() && static_cast<unsigned char>(method[i + 1]) == 0x80) {
      unsigned char third = static_cast<unsigned char>(method[i + 2]);
      if ((third >= 0x8b && third <= 0x8f) || (third >= 0xaa && third <= 0xae)) {  // U+200B..F, U+202A..E
        i += 2;
        continue;
      }
    }
    if (c == 0xef && i + 2 < method.size() && static_cast<unsigned char>(method[i + 1]) == 0xbb &&
        static_cast<unsigned char>(method[i + 2]) == 0xbf) {  // U+FEFF
      i += 2;
      continue;
    }
    out += static_cast<char>(std::tolower(c));
  }
  return out;
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
