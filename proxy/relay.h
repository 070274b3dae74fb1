// Relay: the stdio proxy between an MCP client (our stdin/stdout) and an MCP server (pipes).
// It frames, validates and forwards messages in both directions on one EventLoop, answers
// what it refuses with JSON-RPC errors, makes sure every client request gets exactly one
// response, and applies backpressure: when one side stops reading, reading from the other
// side pauses instead of buffering without bound.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "proxy/io/event_loop.h"
#include "proxy/io/logger.h"
#include "proxy/io/output_buffer.h"
#include "proxy/line_framer.h"
#include "proxy/audit/audit_log.h"
#include "proxy/message.h"
#include "proxy/message_cleaner.h"
#include "proxy/method_classes.h"
#include "proxy/policy/policy_engine.h"
#include "proxy/policy/token_bucket.h"
#include "proxy/protocol_revision.h"
#include "proxy/session_lifecycle.h"
#include "proxy/request_tracker.h"
#include "proxy/telemetry/telemetry.h"
#include "proxy/server_gate.h"
#include "proxy/tool_list_fetcher.h"

namespace mcpsandbox {

struct RelayOptions {
  size_t max_request_bytes = 4u << 20;  // the client's messages (limits.request_size)
  size_t max_result_bytes = 64u << 20;  // the server's messages (limits.result_size)
  // Queued output above which the relay stops reading the side that feeds it.
  size_t high_water_bytes = 1u << 20;
  size_t max_in_flight = 4096;
};

struct RelayStats {
  uint64_t client_messages = 0;
  uint64_t server_messages = 0;
  uint64_t client_rejected = 0;
  uint64_t server_dropped = 0;  // lines from the server that were not forwarded
};

// What the relay tells its owner (the launcher's supervisor).
class RelayEvents {
 public:
  virtual ~RelayEvents() = default;
  // The client closed our stdin (possibly with messages still unread in the pipe) or stopped
  // accepting output: time to shut the server down.
  virtual void on_client_gone() = 0;
  // The server closed its stdout.
  virtual void on_server_output_closed() = 0;
};

// The W3C traceparent a request carries in params._meta, or empty.
std::string traceparent_of(const MessageInfo& message);

// What a message gets when its audit record could not be written: fail closed. `what_happened`
// says what was held back ("the request was not forwarded").
Refusal audit_failure(std::string_view what_happened);

class Relay {
 public:
  // Client fds are borrowed (our stdin/stdout); the server's pipe ends are owned, since
  // closing the server's stdin is how shutdown begins.
  struct Fds {
    int client_in, client_out;
    UniqueFd server_in, server_out;
    UniqueFd server_err;  // optional: the server's stderr, forwarded to the logger
  };

  // `policy` decides what passes; `audit` (optional) records each decision before it takes
  // effect; `telemetry` (optional) gets a span per finished request. All outlive the relay.
  Relay(EventLoop& loop, Fds fds, RelayOptions options, const Logger& logger,
        RelayEvents& events, PolicyEngine& policy, AuditSink* audit = nullptr,
        Telemetry* telemetry = nullptr);
  Relay(const Relay&) = delete;
  Relay& operator=(const Relay&) = delete;

  Result<void> start();
  // Call-scoped kernel grants (optional; must outlive the relay).
  void set_call_scope(CallScope* scope) { call_scope_ = scope; }
  // What the launcher can tell from the server's last stderr lines when it exits before
  // answering (a file the sandbox hid, say): added to the error and the log. Optional.
  using ExitDiagnosis = std::function<std::string(const std::vector<std::string>& stderr_tail)>;
  void set_exit_diagnosis(ExitDiagnosis diagnose) { exit_diagnosis_ = std::move(diagnose); }
  // Out-of-band denial (optional; must outlive the relay): told when the server may run.
  void set_server_gate(ServerGate* gate) { gate_ = gate; }
  // Shutdown: once the client's input has ended (or stop_client_input() was called) and
  // everything queued is written, the server's stdin is closed.
  void close_server_input();
  // Stop taking messages from the client (shutdown has begun).
  void stop_client_input();
  // The server is gone: every request still owed an answer gets an error naming `why`.
  void fail_pending(std::string_view why);
  bool client_output_idle() const { return client_out_.empty() || client_out_.broken(); }
  const RelayStats& stats() const { return stats_; }

 private:
  void on_client_readable();
  void on_server_readable();
  std::optional<Refusal> unclassifiable(Sender from, const MessageInfo& message) const;
  void forward_redacted(const MessageInfo& message, std::string_view line, RedactionDirection direction,
                        void (Relay::*forward)(std::string_view));
  bool on_server_stderr();  // whether it read anything
  std::string diagnose_exit();
  // One line of the server's stderr to the log, within the rate bound.
  void log_server_stderr(std::string_view line);
  void report_dropped_stderr();
  void handle_client_line(const FramedLine& line);
  void handle_server_line(const FramedLine& line);
  void handle_server_reject(std::string_view line, const Rejection& rejection);

  void fail_request_from_server_line(std::optional<RequestId> id, std::string_view reason);
  void forward_to_server(std::string_view line);
  void forward_to_client(std::string_view line);
  void reply_to_client(const std::optional<RequestId>& id, int code, std::string_view message,
                       std::string_view rule);
  void refuse_to_client(const std::optional<RequestId>& id, const Refusal& refusal,
                        std::string_view what);
  // False when the original line must not be forwarded (refused, held, or replaced by a
  // redacted copy that was forwarded instead).
  bool admit_client_request(MessageInfo& message, std::string_view line);
  void handle_fetch_response(const MessageInfo& message);
  void readmit_held_calls();
  bool open_call_scope(const MessageInfo& message, const Admission& admission);
  // Every client request ends here: its grants are withdrawn, the policy engine told.
  void end_request(const PendingRequest& request, bool succeeded);
  void start_call_timer(const RequestId& id, uint64_t timeout_ms);
  void cancel_call_timer(const RequestId& id);
  void call_timed_out(const RequestId& id, uint64_t timeout_ms);
  // Audit records; false when the record could not be written (the caller fails closed).
  bool audit_request(const MessageInfo& message, const Refusal* refusal,
                     const std::string& tool);
  bool audit_response(const PendingRequest& request, std::string_view status, size_t bytes,
                      const Refusal* refusal = nullptr);
  bool audit_server_request(const MessageInfo& message, const Refusal* refusal);
  void audit_policy_events();  // what the engine noticed while judging (pin changes)
  bool write_audit(nlohmann::json record);  // false (and logged) when the record could not be written
  // A client message refused before the policy engine (framing, JSON-RPC shape, ids).
  void audit_rejected(const std::optional<RequestId>& id, int code, std::string_view rule,
                      std::string_view reason);
  void flush_outputs();
  void client_input_ended();
  void client_hung_up();
  void client_output_broken();
  void server_output_ended();
  void close_server_input_now();
  void update_interest();
  void update_server_gate();

  static constexpr uint64_t kDropsLoggedInFull = 10;

  EventLoop& loop_;
  Fds fds_;
  RelayOptions options_;
  const Logger& logger_;
  RelayEvents& events_;
  PolicyEngine& policy_;
  AuditSink* audit_;
  Telemetry* telemetry_;
  CallScope* call_scope_ = nullptr;
  ServerGate* gate_ = nullptr;
  bool gate_open_ = true;       // the server runs until the first request has been answered
  bool answered_once_ = false;
  ToolListFetcher tool_fetcher_;
  std::unordered_map<std::string, EventLoop::TimerId> call_timers_;  // by RequestId::key
  // Calls answered with a timeout: the server's late answer is expected and dropped quietly.
  std::unordered_set<std::string> timed_out_;

  LineFramer client_framer_, server_framer_;
  OutputBuffer client_out_, server_in_;
  MessageParser parser_;
  MessageCleaner server_cleaner_;
  ProtocolRevision revision_;
  SessionLifecycle lifecycle_;
  RequestTracker client_requests_, server_requests_;
  RelayStats stats_;
  std::string stderr_partial_;
  // A server flooding stderr would flood the user's terminal or fill the log's disk: lines
  // beyond 200 a second (bursts of 1000) are counted, and the count is shown instead.
  TokenBucket stderr_lines_{RateSpec{200, 1000, "200/s"}, std::chrono::steady_clock::now()};
  size_t stderr_lines_dropped_ = 0;
  std::deque<std::string> stderr_tail_;  // the last lines, for the exit diagnosis
  ExitDiagnosis exit_diagnosis_;

  bool client_in_closed_ = false, client_in_paused_ = false, server_out_closed_ = false;
  bool server_in_closing_ = false, server_in_closed_ = false, server_gone_ = false;
  bool client_gone_reported_ = false, client_out_watched_ = true;
};

}  // namespace mcpsandbox
