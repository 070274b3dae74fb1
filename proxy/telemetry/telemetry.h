// Telemetry: what the relay and the launcher tell an observability backend. One call per
// finished request (a span), plus counts of redactions and syscall-layer violations. The relay
// calls these on its event loop; an implementation must return at once (OtlpExporter queues
// and sends from its own thread).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace mcpsandbox {

struct RequestSpan {
  std::string method;
  std::string tool;        // tools/call: the tool
  std::string request_id;  // JSON text of the JSON-RPC id
  std::string decision;    // "forward", "refuse" (policy) or "reject" (malformed)
  std::string rule;        // the refusing rule, when refused
  std::string outcome;     // "result", "error", "timeout", "server_exited", "refused"
  int error_code = 0;      // JSON-RPC error code sent back, when there was one
  std::string traceparent;  // the request's params._meta.traceparent, if any
  std::chrono::system_clock::time_point start, end;
};

class Telemetry {
 public:
  virtual ~Telemetry() = default;
  virtual void request_finished(RequestSpan span) = 0;
  virtual void count_redaction(std::string_view detector, std::string_view action, uint64_t count) = 0;
  virtual void count_violation(std::string_view layer, std::string_view action) = 0;
};

}  // namespace mcpsandbox
