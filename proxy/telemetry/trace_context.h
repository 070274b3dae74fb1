// W3C Trace Context: reading a client's `traceparent` so the proxy's span joins its trace, and
// fresh random ids for spans that start a trace.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mcpsandbox {

struct TraceParent {
  std::string trace_id;  // 32 lower-case hex digits, not all zero
  std::string span_id;   // 16 lower-case hex digits, not all zero
  bool sampled = false;
};

// "00-<trace id>-<span id>-<flags>" (version 00; a later version is read by the same prefix,
// as the spec asks). Anything malformed is nullopt: the span starts its own trace.
std::optional<TraceParent> parse_traceparent(std::string_view text);

// `bytes` random bytes as lower-case hex (libsodium's CSPRNG).
std::string random_hex_id(size_t bytes);

}  // namespace mcpsandbox
