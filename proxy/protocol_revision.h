// ProtocolRevision: which MCP revision each message on a connection speaks. Legacy revisions
// negotiate once through `initialize`; the stateless 2026-07-28 revision names its version in
// every request's _meta. Both can share one connection, so the answer is per message.
#pragma once

#include <string>
#include <string_view>

#include "proxy/message.h"

namespace mcpsandbox {

inline constexpr std::string_view kStatelessRevision = "2026-07-28";

// Revisions are dates, so they order as strings.
inline bool is_stateless_revision(std::string_view revision) {
  return !revision.empty() && revision >= kStatelessRevision;
}

class ProtocolRevision {
 public:
  // The revision a client request or notification is made under.
  std::string of_client_message(const MessageInfo& message) const {
    if (!message.meta_protocol_version.empty()) return message.meta_protocol_version;
    if (message.method == "initialize") return message.params_protocol_version;
    return negotiated_;
  }
  // Called with the server's answer to `initialize`.
  void on_initialize_result(const MessageInfo& result) {
    if (!result.is_error && !result.result_protocol_version.empty()) {
      negotiated_ = result.result_protocol_version;
    }
  }
  const std::string& negotiated() const { return negotiated_; }

 private:
  std::string negotiated_;
};

}  // namespace mcpsandbox
