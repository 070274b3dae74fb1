// MessageParser: strict validation and classification of one JSON-RPC 2.0 message. The proxy
// decides on what this parser sees, and the peer on what its own parser sees; anything where
// the two could differ (duplicate keys, invalid UTF-8, batches, unknown top-level members) is
// rejected rather than passed on.
#pragma once

#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "proxy/recent_peak.h"

namespace mcpsandbox {

// A request id as seen on the wire. `key` matches a response's id to its request (1, 1.0 and
// 1e0 are the same number to the peer's parser); `json` is echoed verbatim in our own replies.
struct RequestId {
  std::string key;
  std::string json;
  bool operator==(const RequestId&) const = default;
};

enum class MessageKind { kRequest, kNotification, kResponse };

struct MessageInfo {
  MessageKind kind = MessageKind::kNotification;
  std::string method;                // requests and notifications
  std::optional<RequestId> id;       // requests and responses
  bool is_error = false;             // responses carrying "error"
  std::string meta_protocol_version;  // params._meta["io.modelcontextprotocol/protocolVersion"]
  std::string params_protocol_version;  // params.protocolVersion (initialize)
  std::string result_protocol_version;  // result.protocolVersion (initialize result)
  std::string result_type;              // result.resultType (2026-07-28)
  std::optional<RequestId> cancelled_id;  // notifications/cancelled params.requestId
  // Views into the parse, valid until the parser's next parse() or trim(): for the policy
  // engine, which reads tool names, arguments and results from them.
  std::optional<simdjson::dom::element> params, result, error;
  std::optional<simdjson::dom::element> root;  // the whole message
  // The result as the server sent it, when the relay cleaned the message before judging it:
  // only the tool-poisoning check reads it (invisible text in a definition is its evidence).
  std::optional<simdjson::dom::element> uncleaned_result;
};

struct Rejection {
  int code;
  std::string rule;    // stable name of the check, e.g. "jsonrpc.version"
  std::string reason;  // one line for the peer and the log
  std::optional<RequestId> id;  // when the message's id could be read unambiguously
  bool has_method = false;      // it was (meant as) a request or notification, not a response
};

using ParsedMessage = std::variant<MessageInfo, Rejection>;

class MessageParser {
 public:
  // JSON nesting deeper than this is refused; MCP messages are far shallower.
  static constexpr size_t kMaxDepth = 512;

  MessageParser();
  // `line` must be followed in memory by at least simdjson::SIMDJSON_PADDING readable bytes
  // (LineFramer guarantees this). Use parse_copy() when that cannot be promised.
  ParsedMessage parse(std::string_view line);
  ParsedMessage parse_copy(std::string_view line);
  // Gives back the memory large messages needed once they stop coming; call when no view
  // into the last parse is in use any more.
  void trim();

 private:
  simdjson::dom::parser parser_;
  RecentPeak recent_;
};

}  // namespace mcpsandbox
