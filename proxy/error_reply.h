// Builds the JSON-RPC error responses mcpsandbox sends on its own behalf.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "proxy/message.h"

namespace mcpsandbox {

// One line (no newline) of the form
// {"jsonrpc":"2.0","id":<id or null>,"error":{"code":C,"message":M,"data":{"source":"mcpsandbox","rule":R}}}
// with the members of `details` (an object) added to "data" (e.g. "retry_after_ms").
std::string make_error_reply(const std::optional<RequestId>& id, int code,
                             std::string_view message, std::string_view rule,
                             const nlohmann::json& details = nullptr);

// The id of a message that could not be parsed, recovered from its raw text when unambiguous.
std::optional<RequestId> request_id_from_json(std::string_view raw_id_json);

}  // namespace mcpsandbox
