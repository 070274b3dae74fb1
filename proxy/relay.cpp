#include "proxy/relay.h"

#include <fcntl.h>

#include <cerrno>
#include <cstring>

#include "proxy/error_codes.h"
#include "proxy/error_reply.h"

namespace mcpsandbox {
namespace {

constexpr size_t kMaxStderrLine = 64 * 1024;

void set_nonblocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0 && !(flags & O_NONBLOCK)) ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

// A short, printable excerpt of a line for the log (it may be hostile binary garbage).
std::string preview(std::string_view line) {
  std::string out;
  for (char c : line.substr(0, 120)) {
    out += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  if (line.size() > 120) out += "...";
  return out;
}

}  // namespace

Relay::Relay(EventLoop& loop, Fds fds, RelayOptions options, const Logger& logger,
             RelayEvents& events, PolicyEngine& policy, AuditSink* audit, Telemetry* telemetry)
    : loop_(loop),
      fds_(std::move(fds)),
      options_(options),
      logger_(logger),
      events_(events),
      policy_(policy),
      audit_(audit),
      telemetry_(telemetry),
      client_framer_(options.max_request_bytes),
      server_framer_(options.max_result_bytes),
      client_out_(fds_.client_out),
      server_in_(fds_.server_in.get()),
      client_requests_(options.max_in_flight),
      server_requests_(options.max_in_flight) {}

Result<void> Relay::start() {
  for (int fd : {fds_.client_in, fds_.client_out, fds_.server_in.get(), fds_.server_out.get(),
                 fds_.server_err.get()}) {
    if (fd >= 0) set_nonblocking(fd);
  }
  auto watch = [&](int fd, uint32_t events, auto handler) -> Result<void> {
    return loop_.watch(fd, events, [this, handler](uint32_t) { (this->*handler)(); });
  };
  auto client_in = loop_.watch(fds_.client_in, EPOLLIN, [this](uint32_t events) {
    // Reported while reading is paused for backpressure: the client hung up, but what it
    // wrote before is still in the pipe and will be read once the server catches up.
    if (!(events & EPOLLIN) && client_in_paused_) {
      client_hung_up();
      return;
    }
    on_client_readable();
  });
  if (!client_in) return client_in;
  if (auto r = watch(fds_.server_out.get(), EPOLLIN, &Relay::on_server_readable); !r) return r;
  if (auto r = loop_.watch(fds_.client_out, 0, [this](uint32_t) { flush_outputs(); }); !r) {
    return r;
  }
  if (auto r = loop_.watch(fds_.server_in.get(), 0, [this](uint32_t) { flush_outputs(); }); !r) {
    return r;
  }
  if (fds_.server_err.valid()) {
    if (auto r = watch(fds_.server_err.get(), EPOLLIN, &Relay::on_server_stderr); !r) return r;
  }
  return {};
}

void Relay::on_client_readable() {
  auto status = client_framer_.read_from(fds_.client_in);
  if (status == LineFramer::ReadStatus::kEof || status == LineFramer::ReadStatus::kError) {
    if (status == LineFramer::ReadStatus::kError) {
      logger_.warn(std::string("reading from the client: ") + std::strerror(errno));
    }
    client_framer_.finish();
  }
  while (auto line = client_framer_.next()) handle_client_line(*line);
  if (status == LineFramer::ReadStatus::kEof || status == LineFramer::ReadStatus::kError) {
    client_input_ended();
  }
  flush_outputs();
}

void Relay::on_server_readable() {
  auto status = server_framer_.read_from(fds_.server_out.get());
  bool ended = status == LineFramer::ReadStatus::kEof || status == LineFramer::ReadStatus::kError;
  if (ended) server_framer_.finish();
  while (auto line = server_framer_.next()) handle_server_line(*line);
  if (ended) server_output_ended();
  flush_outputs();
}

bool Relay::on_server_stderr() {
  char chunk[16 * 1024];
  ssize_t n = ::read(fds_.server_err.get(), chunk, sizeof chunk);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return false;
  if (n <= 0) {
    if (!stderr_partial_.empty()) log_server_stderr(stderr_partial_);
    stderr_partial_.clear();
    report_dropped_stderr();
    loop_.unwatch(fds_.server_err.get());
    fds_.server_err.reset();
    return false;
  }
  stderr_partial_.append(chunk, static_cast<size_t>(n));
  size_t start = 0;
  for (size_t newline; (newline = stderr_partial_.find('\n', start)) != std::string::npos;
       start = newline + 1) {
    log_server_stderr(std::string_view(stderr_partial_).substr(start, newline - start));
  }
  stderr_partial_.erase(0, start);
  if (stderr_partial_.size() > kMaxStderrLine) {
    log_server_stderr(stderr_partial_);
    stderr_partial_.clear();
  }
  return true;
}

void Relay::log_server_stderr(std::string_view line) {
  constexpr size_t kTailLines = 32, kTailLineBytes = 1024;
  stderr_tail_.emplace_back(line.substr(0, kTailLineBytes));
  if (stderr_tail_.size() > kTailLines) stderr_tail_.pop_front();
  if (stderr_lines_.take(std::chrono::steady_clock::now())) {
    ++stderr_lines_dropped_;
    return;
  }
  report_dropped_stderr();
  logger_.server_stderr(line);
}

void Relay::report_dropped_stderr() {
  if (stderr_lines_dropped_ == 0) return;
  logger_.warn("server stderr: " + std::to_string(stderr_lines_dropped_) +
               " line(s) not shown (more than 200 a second)");
  stderr_lines_dropped_ = 0;
}

void Relay::reply_to_client(const std::optional<RequestId>& id, int code,
                            std::string_view message, std::string_view rule) {
  std::string reply = make_error_reply(id, code, message, rule);
  client_out_.append(reply, "\n");
}

void Relay::forward_to_server(std::string_view line) {
  if (server_in_closed_ || server_in_.broken()) return;
  server_in_.append(line, "\n");
}

void Relay::forward_to_client(std::string_view line) { client_out_.append(line, "\n"); }

void Relay::handle_client_line(const FramedLine& line) {
  ++stats_.client_messages;
  if (line.kind == FramedLine::Kind::kOversized) {
    ++stats_.client_rejected;
    std::optional<RequestId> id;
    if (line.oversized_id) id = request_id_from_json(*line.oversized_id);
    std::string why = "request of " + std::to_string(line.oversized_bytes) +
                      " bytes exceeds the limit of " + std::to_string(options_.max_request_bytes) +
                      " bytes (limits.request_size, --max-request-bytes)";
    logger_.warn("client: " + why + "; not forwarded");
    audit_rejected(id, error_code::kMessageTooLarge, "limits.request_size", why);
    reply_to_client(id, error_code::kMessageTooLarge, why, "limits.request_size");
    return;
  }
  // Trimmed before, not after, parsing: the policy engine reads views into this parse.
  parser_.trim();
  ParsedMessage parsed = parser_.parse(line.bytes);
  if (auto* rejection = std::get_if<Rejection>(&parsed)) {
    ++stats_.client_rejected;
    logger_.warn("client: rejected message (" + rejection->rule + "): " + rejection->reason);
    audit_rejected(rejection->id, rejection->code, rejection->rule, rejection->reason);
    reply_to_client(rejection->id, rejection->code, rejection->reason, rejection->rule);
    return;
  }
  MessageInfo& message = std::get<MessageInfo>(parsed);
  if (auto refusal = unclassifiable(Sender::kClient, message)) {
    ++stats_.client_rejected;
    audit_rejected(message.id, refusal->code, refusal->rule, refusal->message);
    if (message.kind == MessageKind::kRequest) {
      reply_to_client(message.id, refusal->code, refusal->message, refusal->rule);
    } else {
      logger_.warn("client: notification dropped (" + refusal->rule + "): " + refusal->message);
    }
    return;
  }
  switch (message.kind) {
    case MessageKind::kRequest: {
      if (server_gone_ || server_in_closed_ || server_in_.broken()) {
        reply_to_client(message.id, error_code::kServerExited,
                        "the MCP server is no longer running", "server.exited");
        return;
      }
      if (message.id->json.rfind("\"mcpsandbox:", 0) == 0) {
        ++stats_.client_rejected;
        reply_to_client(message.id, error_code::kInvalidRequest,
                        "request ids starting with \"mcpsandbox:\" are reserved for the proxy",
                        "jsonrpc.id");
        return;
      }
      if (auto refusal = lifecycle_.admit(message)) {
        ++stats_.client_rejected;
        audit_rejected(message.id, refusal->code, refusal->rule, refusal->message);
        reply_to_client(message.id, refusal->code, refusal->message, refusal->rule);
        return;
      }
      std::string revision = revision_.of_client_message(message);
      if (logger_.enabled(LogLevel::kDebug)) {
        logger_.debug("client request " + message.id->json + " " + message.method +
                      " (revision " + (revision.empty() ? "unknown" : revision) + ")");
      }
      PendingRequest pending{*message.id, message.method, std::move(revision), {}};
      if (message.method == "tools/list") {  // only listings are paged; no lookup for the rest
        simdjson::dom::element cursor;
        pending.continues_listing = message.params &&
                                    message.params->type() == simdjson::dom::element_type::OBJECT &&
                                    !(*message.params)["cursor"].get(cursor);
        if (pending.continues_listing) pending.listing_cursor = simdjson::minify(cursor);
      }
      if (telemetry_) pending.traceparent = traceparent_of(message);
      auto outcome = client_requests_.add(std::move(pending));
      if (outcome == RequestTracker::AddOutcome::kDuplicateId) {
        ++stats_.client_rejected;
        reply_to_client(message.id, error_code::kDuplicateRequestId,
                        "request id " + message.id->json + " is already in flight",
                        "jsonrpc.duplicate_id");
        return;
      }
      if (outcome == RequestTracker::AddOutcome::kFull) {
        ++stats_.client_rejected;
        reply_to_client(message.id, error_code::kTooManyInFlight,
                        "too many requests in flight (" + std::to_string(options_.max_in_flight) +
                            ")",
                        "limits.max_in_flight");
        return;
      }
      if (!admit_client_request(message, line.bytes)) return;
      break;
    }
    case MessageKind::kNotification:
      if (message.cancelled_id) {
        client_requests_.mark_cancelled(*message.cancelled_id);
        // The client gave up: whatever the server still does for it, it does without the grant.
        if (call_scope_) (void)call_scope_->close(message.cancelled_id->key);
      }
      forward_redacted(message, line.bytes, RedactionDirection::kArguments, &Relay::forward_to_server);
      return;
    case MessageKind::kResponse:
      if (!server_requests_.complete(*message.id)) {
        ++stats_.client_rejected;
        logger_.warn("client: response to unknown server request id " + message.id->json +
                     "; dropped");
        return;
      }
      forward_redacted(message, line.bytes, RedactionDirection::kArguments, &Relay::forward_to_server);
      return;
  }
  forward_to_server(line.bytes);
}

void Relay::fail_request_from_server_line(std::optional<RequestId> id, std::string_view reason) {
  if (!id) return;
  auto pending = client_requests_.complete(*id);
  if (!pending) return;
  cancel_call_timer(pending->id);
  end_request(*pending, false);
  reply_to_client(pending->id, error_code::kInvalidServerReply,
                  "the MCP server's response was not forwarded: " + policy_.redacted_own_text(reason),
                  "server.invalid_response");
}

void Relay::handle_server_reject(std::string_view line, const Rejection& rejection) {
  ++stats_.server_dropped;
  // The first few in full; then a count now and then. A server flooding junk must not turn
  // into a flood of log lines (and a log pipe nobody drains would stall the proxy).
  if (stats_.server_dropped <= kDropsLoggedInFull) {
    logger_.warn("server: dropped a line that is not a valid JSON-RPC message (" + rejection.rule +
                 ": " + rejection.reason + "): " + policy_.redacted_own_text(preview(line)));
    if (stats_.server_dropped == kDropsLoggedInFull) {
      logger_.warn("server: further dropped lines are counted, not shown");
    }
  } else if (stats_.server_dropped % 10000 == 0) {
    logger_.warn("server: " + std::to_string(stats_.server_dropped) + " lines dropped so far");
  }
  // A broken answer must still end its request, or the client waits forever. Only take an id
  // the scan is sure of, and only from something that is not a request of the server's own.
  std::optional<RequestId> id = rejection.id;
  if (!id && rejection.code == error_code::kParseError) {
    TopLevelIdScanner scanner;
    scanner.feed(line);
    if (auto raw = scanner.id()) id = request_id_from_json(*raw);
  }
  if (!rejection.has_method) fail_request_from_server_line(id, rejection.reason);
}

void Relay::handle_server_line(const FramedLine& line) {
  ++stats_.server_messages;
  if (line.kind == FramedLine::Kind::kOversized) {
    ++stats_.server_dropped;
    std::string why = "message of " + std::to_string(line.oversized_bytes) +
                      " bytes exceeds the limit of " + std::to_string(options_.max_result_bytes) +
                      " bytes (limits.result_size, --max-result-bytes)";
    logger_.warn("server: " + why + "; dropped");
    fail_request_from_server_line(
        line.oversized_id ? request_id_from_json(*line.oversized_id) : std::nullopt, why);
    return;
  }
  parser_.trim();
  ParsedMessage parsed = parser_.parse(line.bytes);
  if (auto* rejection = std::get_if<Rejection>(&parsed)) {
    handle_server_reject(line.bytes, *rejection);
    return;
  }
  MessageInfo& message = std::get<MessageInfo>(parsed);
  std::string_view bytes = line.bytes;
  auto cleaned = server_cleaner_.clean(message, bytes);
  if (auto* rejection = std::get_if<Rejection>(&cleaned)) {
    handle_server_reject(bytes, *rejection);
    return;
  }
  size_t removed = std::get<size_t>(cleaned);
  if (auto refusal = unclassifiable(Sender::kServer, message)) {
    ++stats_.server_dropped;
    (void)audit_server_request(message, &*refusal);
    logger_.warn("server: " + std::string(message.kind == MessageKind::kRequest ? "request" : "notification") +
                 " refused (" + refusal->rule + "): " + refusal->message);
    if (message.kind == MessageKind::kRequest) {
      forward_to_server(make_error_reply(message.id, refusal->code, refusal->message, refusal->rule, {}));
    }
    return;
  }
  switch (message.kind) {
    case MessageKind::kResponse: {
      if (tool_fetcher_.is_fetch_response(message)) {
        handle_fetch_response(message);
        return;
      }
      auto pending = client_requests_.complete(*message.id);
      if (!pending && timed_out_.erase(message.id->key)) {
        logger_.debug("server: late answer to timed-out request " + message.id->json + "; dropped");
        return;
      }
      if (!pending) {
        ++stats_.server_dropped;
        logger_.warn("server: response to unknown request id " + message.id->json +
                     "; dropped");
        return;
      }
      if (pending->method == "initialize") {
        revision_.on_initialize_result(message);
        lifecycle_.on_initialize_answered(!message.is_error);
      }
      if (message.result_type == "input_required") {
        logger_.debug("server asks the client for input on request " + message.id->json);
      }
      cancel_call_timer(pending->id);
      answered_once_ = true;
      if (removed) policy_.note_cleaned(pending->method, pending->tool, removed);
      // A call whose server departed from the tool's behavioural pin (blocking profile): its
      // result is withheld, whatever it says.
      std::optional<WithheldResult> withheld = call_scope_ ? call_scope_->close(pending->id.key) : std::nullopt;
      Verdict verdict = withheld ? Verdict{Verdict::Action::kRefuse, "",
                                           Refusal{withheld->code, withheld->rule, withheld->reason,
                                                   {{"tool", pending->tool}}}}
                                 : policy_.review_response(*pending, message);
      audit_policy_events();
      end_request(*pending, !message.is_error &&
                                                verdict.action != Verdict::Action::kRefuse);
      bool refused = verdict.action == Verdict::Action::kRefuse;
      std::string_view status = refused ? "refused"
                                : verdict.action == Verdict::Action::kReplace ? "filtered"
                                : message.is_error                            ? "error"
                                                                              : "result";
      if (!audit_response(*pending, status, bytes.size(), refused ? &verdict.refusal : nullptr)) {
        refuse_to_client(pending->id, audit_failure("the response was withheld"),
                         "response to " + pending->method);
        return;
      }
      if (refused) {
        refuse_to_client(pending->id, verdict.refusal, "response to " + pending->method);
        return;
      }
      if (verdict.action == Verdict::Action::kReplace) {
        forward_to_client(verdict.replacement);
        return;
      }
      break;
    }
    case MessageKind::kRequest: {
      if (removed) policy_.note_cleaned(message.method, "", removed);
      // Judged, then redacted, before the audit record: it holds what became of the request.
      auto refusal = policy_.review_server_request(message);
      Verdict redacted;
      if (!refusal) {
        redacted = policy_.redact_message(message, RedactionDirection::kResults);
        audit_policy_events();
        if (redacted.action == Verdict::Action::kRefuse) refusal = redacted.refusal;
      }
      bool recorded = audit_server_request(message, refusal ? &*refusal : nullptr);
      if (!recorded && !refusal) {
        refusal = audit_failure("the request was not passed on");
      }
      if (refusal) {
        ++stats_.server_dropped;
        logger_.warn("policy: refused the server's " + message.method + " (" + refusal->rule +
                     "): " + refusal->message);
        forward_to_server(make_error_reply(message.id, refusal->code, refusal->message,
                                           refusal->rule, refusal->details));
        return;
      }
      auto outcome = server_requests_.add({*message.id, message.method, revision_.negotiated(), {}});
      if (outcome != RequestTracker::AddOutcome::kAdded) {
        ++stats_.server_dropped;
        bool duplicate = outcome == RequestTracker::AddOutcome::kDuplicateId;
        std::string reply = make_error_reply(
            message.id, duplicate ? error_code::kDuplicateRequestId : error_code::kTooManyInFlight,
            duplicate ? "request id already in flight" : "too many requests in flight",
            duplicate ? "jsonrpc.duplicate_id" : "limits.max_in_flight");
        forward_to_server(reply);
        return;
      }
      forward_to_client(redacted.action == Verdict::Action::kReplace ? std::string_view(redacted.replacement)
                                                                     : bytes);
      return;
    }
    case MessageKind::kNotification:
      if (removed) policy_.note_cleaned(message.method, "", removed);
      if (message.cancelled_id) (void)server_requests_.complete(*message.cancelled_id);
      if (message.method == "notifications/tools/list_changed") policy_.tools_changed();
      if (auto refusal = policy_.review_nested_asks(message)) {
        ++stats_.server_dropped;
        audit_policy_events();
        logger_.warn("policy: " + message.method + " not passed on (" + refusal->rule + "): " +
                     policy_.redacted_own_text(refusal->message));
        return;
      }
      forward_redacted(message, bytes, RedactionDirection::kResults, &Relay::forward_to_client);
      return;
  }
  forward_to_client(bytes);
}

// The server's last words first (still in the pipe when its exit is seen), then what the
// launcher makes of them.
std::string Relay::diagnose_exit() {
  if (!exit_diagnosis_) return "";
  for (int reads = 0; fds_.server_err.valid() && reads < 64 && on_server_stderr(); ++reads) {
  }
  std::string hint = exit_diagnosis_(std::vector<std::string>(stderr_tail_.begin(), stderr_tail_.end()));
  if (!hint.empty()) logger_.warn(hint);
  return hint;
}

void Relay::fail_pending(std::string_view why) {
  server_gone_ = true;
  auto pending = client_requests_.take_all();
  std::string hint = pending.empty() ? "" : diagnose_exit();
  for (const PendingRequest& request : pending) {
    cancel_call_timer(request.id);
    end_request(request, false);
    (void)audit_response(request, "server_exited", 0);  // the answer goes out regardless
    if (request.cancelled) continue;
    reply_to_client(request.id, error_code::kServerExited,
                    "the MCP server exited before responding: " + std::string(why) +
                        (hint.empty() ? "" : "; " + hint),
                    "server.exited");
  }
  (void)server_requests_.take_unanswered();
  (void)tool_fetcher_.release();
  flush_outputs();
}

void Relay::stop_client_input() {
  if (client_in_closed_) return;
  client_in_closed_ = true;
  loop_.unwatch(fds_.client_in);
}

void Relay::client_hung_up() {
  if (!client_gone_reported_) {
    client_gone_reported_ = true;
    events_.on_client_gone();
  }
}

void Relay::client_input_ended() {
  stop_client_input();
  client_hung_up();
}

void Relay::client_output_broken() {
  logger_.info("the client stopped reading our output");
  if (client_out_watched_) {
    loop_.unwatch(fds_.client_out);
    client_out_watched_ = false;
  }
  client_input_ended();
}

void Relay::server_output_ended() {
  if (server_out_closed_) return;
  server_out_closed_ = true;
  loop_.unwatch(fds_.server_out.get());
  events_.on_server_output_closed();
}

void Relay::close_server_input() {
  server_in_closing_ = true;
  update_interest();
}

void Relay::close_server_input_now() {
  if (server_in_closed_) return;
  server_in_closed_ = true;
  loop_.unwatch(fds_.server_in.get());
  fds_.server_in.reset();
}

void Relay::flush_outputs() {
  if (!client_out_.broken() && !client_out_.empty()) {
    if (!client_out_.flush()) client_output_broken();
  }
  if (!server_in_closed_ && !server_in_.broken() && !server_in_.empty()) {
    if (!server_in_.flush()) {
      logger_.info("the MCP server closed its input");
      close_server_input_now();
    }
  }
  update_interest();
}

void Relay::update_server_gate() {
  if (!gate_) return;
  // Start-up runs freely until the first answer; shutdown (either side closing) needs the
  // server to run to exit.
  bool run = !answered_once_ || client_requests_.active() > 0 || tool_fetcher_.fetching() ||
             client_in_closed_ || server_in_closing_ || server_out_closed_ || server_gone_;
  if (run == gate_open_) return;
  gate_open_ = run;
  gate_->let_run(run);
}

void Relay::update_interest() {
  update_server_gate();
  bool client_backlog = client_out_.pending() >= options_.high_water_bytes;
  // Calls held for a tools/list count as queued for the server: a server that never answers
  // it must not make the relay buffer the client without bound.
  bool server_backlog = server_in_.pending() + tool_fetcher_.held_bytes() >= options_.high_water_bytes;
  if (!client_in_closed_) {
    client_in_paused_ = client_backlog || server_backlog;
    (void)loop_.change(fds_.client_in, client_in_paused_ ? 0u : uint32_t{EPOLLIN});
  }
  if (!server_out_closed_) {
    (void)loop_.change(fds_.server_out.get(), client_backlog ? 0u : uint32_t{EPOLLIN});
  }
  if (client_out_watched_) {
    (void)loop_.change(fds_.client_out, client_out_.empty() ? 0u : uint32_t{EPOLLOUT});
  }
  if (!server_in_closed_) {
    // Everything the client sent before it closed is forwarded before the server sees EOF.
    // Calls held for the proxy's own tools/list are still to be sent.
    if (server_in_closing_ && client_in_closed_ && server_in_.empty() && !tool_fetcher_.fetching()) {
      close_server_input_now();
    } else {
      (void)loop_.change(fds_.server_in.get(), server_in_.empty() ? 0u : uint32_t{EPOLLOUT});
    }
  }
}

}  // namespace mcpsandbox
