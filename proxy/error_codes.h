// The JSON-RPC error codes mcpsandbox itself answers with. Generic JSON-RPC failures use the
// reserved codes; mcpsandbox's own conditions use codes outside -32768..-32000, as the MCP
// specification advises (-32020..-32099 belong to the spec). These numbers are stable API and
// are documented in README.md.
#pragma once

namespace mcpsandbox::error_code {

inline constexpr int kParseError = -32700;      // not JSON, invalid UTF-8, duplicate keys, too deep
inline constexpr int kInvalidRequest = -32600;  // JSON but not a JSON-RPC 2.0 message
inline constexpr int kMethodNotFound = -32601;  // a method no MCP revision defines, or a look-alike

inline constexpr int kMessageTooLarge = -31000;     // over --max-message-bytes; never forwarded
inline constexpr int kServerExited = -31001;        // the server ended before it answered
inline constexpr int kInvalidServerReply = -31002;  // the server's answer was unusable
inline constexpr int kTooManyInFlight = -31003;     // the in-flight request table is full
inline constexpr int kDuplicateRequestId = -31004;  // the id is already in flight
inline constexpr int kLifecycle = -31005;  // a second initialize, or a request before the first

// Protocol-layer policy (profiles/README.md). "data.rule" names the rule that fired.
inline constexpr int kAuthRequired = -31010;       // no valid gateway key where one is required
inline constexpr int kNotAllowed = -31011;         // tool, resource or prompt not allowed
inline constexpr int kInvalidArguments = -31012;   // arguments fail the tool's inputSchema
inline constexpr int kArgumentRefused = -31013;    // a profile constraint or detector refused
inline constexpr int kRateLimited = -31014;        // data.retry_after_ms says when to retry
inline constexpr int kTooManyConcurrent = -31015;  // the tool's max_concurrent is reached
inline constexpr int kCallTimeout = -31016;        // no answer within the tool's timeout
inline constexpr int kFlowDenied = -31017;         // a flow rule forbids this after earlier calls
inline constexpr int kAskDenied = -31018;          // the server asked for sampling/elicitation/roots
inline constexpr int kToolNotListed = -31019;      // no usable definition from tools/list
inline constexpr int kAuditFailed = -31020;        // the audit record could not be written
inline constexpr int kToolNotApproved = -31021;    // the tool differs from its pin, or is new
inline constexpr int kToolPoisoned = -31022;       // the tool's definition carries injected instructions
inline constexpr int kRedactionBlocked = -31023;   // a detector whose action is "block" matched
inline constexpr int kInjectionBlocked = -31024;   // a result carries instructions aimed at the model
inline constexpr int kGrantFailed = -31025;        // the call-scoped kernel grant could not be made
inline constexpr int kBehaviourDeparted = -31026;  // the call departed from its tool's behavioural pin

}  // namespace mcpsandbox::error_code
