// The JSON-RPC error codes mcpsandbox itself answers with. Generic JSON-RPC failures use the
// reserved codes; mcpsandbox's own conditions use codes outside -32768..-32000, as the MCP
// specification advises (-32020..-32099 belong to the spec). These numbers are stable API and
// are documented in README.md.
#pragma once

namespace mcpsandbox::error_code {

inline constexpr int kParseError = -32700;      // not JSON, invalid UTF-8, duplicate keys, too deep
inline constexpr int kInvalidRequest = -32600;  // JSON but not a JSON-RPC 2.0 message

inline constexpr int kMessageTooLarge = -31000;     // over --max-message-bytes; never forwarded
inline constexpr int kServerExited = -31001;        // the server ended before it answered
inline constexpr int kInvalidServerReply = -31002;  // the server's answer was unusable
inline constexpr int kTooManyInFlight = -31003;     // the in-flight request table is full
inline constexpr int kDuplicateRequestId = -31004;  // the id is already in flight

}  // namespace mcpsandbox::error_code
