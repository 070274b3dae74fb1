// Relay: the parts that apply the policy engine's verdicts (refusals, held calls awaiting the
// proxy's own tools/list, call timeouts). Split from relay.cpp, which frames and forwards.
#include "proxy/error_codes.h"
#include "proxy/error_reply.h"
#include "proxy/relay.h"

namespace mcpsandbox {

void Relay::refuse_to_client(const std::optional<RequestId>& id, const Refusal& original,
                             std::string_view what) {
  ++stats_.client_rejected;
  // Whoever's text a refusal quotes (a tool name the client sent, a member the server did), it
  // is the proxy's own message: redacted like everything else that passes.
  Refusal refusal = original;
  policy_.redact_refusal(refusal);
  logger_.warn("policy: refused " + std::string(what) + " (" + refusal.rule + "): " +
               refusal.message);
  client_out_.append(make_error_reply(id, refusal.code, refusal.message, refusal.rule,
                                      refusal.details),
                     "\n");
}

// The request is already tracked; a refusal ends it here, before it reaches the server.
// Every request and notification, from either side, is of a method some MCP revision defines,
// as the kind it defines it, before any policy judges it: what cannot be classified could not
// be judged (a denied tool called as "Tools/Call", or as a notification, reached the server).
std::optional<Refusal> Relay::unclassifiable(Sender from, const MessageInfo& message) const {
  if (message.kind == MessageKind::kResponse) return std::nullopt;
  MethodClass found = classify_method(from, message.method, message.kind == MessageKind::kRequest);
  switch (found.verdict) {
    case MethodClass::Verdict::kKnown:
      return std::nullopt;
    case MethodClass::Verdict::kUnknown:
      if (policy_.plan().access.asks.unknown_methods == AskPolicy::kAllow) return std::nullopt;
      return Refusal{error_code::kMethodNotFound, "protocol.unknown_method",
                     found.reason + " (access.unknown_methods \"allow\" passes such methods)"};
    case MethodClass::Verdict::kLookAlike:
      return Refusal{error_code::kMethodNotFound, "protocol.look_alike", found.reason};
    case MethodClass::Verdict::kWrongKind:
      return Refusal{error_code::kInvalidRequest, "protocol.kind", found.reason};
  }
  return std::nullopt;
}

// A notification, or the client's answer to a server request, after redaction. What a "block"
// detector matched is not passed: a notification is dropped, an answer becomes an error.
void Relay::forward_redacted(const MessageInfo& message, std::string_view line, RedactionDirection direction,
                             void (Relay::*forward)(std::string_view)) {
  Verdict redacted = policy_.redact_message(message, direction);
  audit_policy_events();
  if (redacted.action == Verdict::Action::kReplace) {
    (this->*forward)(redacted.replacement);
  } else if (redacted.action == Verdict::Action::kForward) {
    (this->*forward)(line);
  } else {
    logger_.warn("policy: " + std::string(message.kind == MessageKind::kResponse ? "answer" : message.method) +
                 " not passed on (" + redacted.refusal.rule + "): " + redacted.refusal.message);
    if (message.kind == MessageKind::kResponse) {
      (this->*forward)(make_error_reply(message.id, redacted.refusal.code, redacted.refusal.message,
                                        redacted.refusal.rule, redacted.refusal.details));
    }
  }
}

bool Relay::admit_client_request(MessageInfo& message, std::string_view line) {
  auto decision = policy_.admit_client_request(message);
  if (auto* refusal = std::get_if<Refusal>(&decision)) {
    if (refusal->rule == PolicyEngine::kUnlistedRule) {
      if (auto request = tool_fetcher_.hold(message, line)) {
        logger_.debug("holding " + message.id->json + " until the server lists its tools");
        forward_to_server(*request);
      }
      return false;
    }
    (void)client_requests_.complete(*message.id);
    (void)audit_request(message, refusal, "");  // refused either way
    refuse_to_client(message.id, *refusal, message.method);
    return false;
  }
  const Admission& admission = std::get<Admission>(decision);
  if (!open_call_scope(message, admission)) return false;
  if (!audit_request(message, nullptr, admission.tool)) {
    PendingRequest pending = *client_requests_.complete(*message.id);
    pending.tool = admission.tool;
    end_request(pending, false);
    refuse_to_client(message.id, audit_failure("the request was not forwarded"), message.method);
    return false;
  }
  if (!admission.tool.empty()) client_requests_.find(*message.id)->tool = admission.tool;
  if (admission.timeout_ms) start_call_timer(*message.id, *admission.timeout_ms);
  if (!admission.replacement.empty()) {
    forward_to_server(admission.replacement);  // redacted arguments
    return false;  // already forwarded
  }
  return true;
}

void Relay::handle_fetch_response(const MessageInfo& message) {
  PendingRequest list{*message.id, "tools/list", revision_.negotiated(), {}};
  list.continues_listing = tool_fetcher_.continuing();
  list.listing_cursor = tool_fetcher_.cursor();
  (void)policy_.review_response(list, message);  // registers the tools; nothing to forward
  audit_policy_events();
  if (auto next = tool_fetcher_.next_page(message)) {
    forward_to_server(*next);
    return;
  }
  readmit_held_calls();
}

// The listing is complete: each held call is judged again, now against what the server listed.
void Relay::readmit_held_calls() {
  for (ToolListFetcher::Held& held : tool_fetcher_.release()) {
    PendingRequest* pending = client_requests_.find(held.id);
    if (!pending) continue;  // answered meanwhile (server gone)
    if (pending->cancelled) {
      (void)client_requests_.complete(held.id);
      continue;
    }
    ParsedMessage parsed = parser_.parse_copy(held.line);
    auto* message = std::get_if<MessageInfo>(&parsed);
    if (!message) continue;  // it parsed before; cannot happen
    auto decision = policy_.admit_client_request(*message);
    if (auto* refusal = std::get_if<Refusal>(&decision)) {
      (void)client_requests_.complete(held.id);
      if (refusal->rule == PolicyEngine::kUnlistedRule) {
        refusal->rule = "tools.unknown";
        refusal->message += " (asked the server just now)";
      }
      (void)audit_request(*message, refusal, "");
      refuse_to_client(held.id, *refusal, "tools/call");
      continue;
    }
    const Admission& admission = std::get<Admission>(decision);
    if (!open_call_scope(*message, admission)) continue;
    if (!audit_request(*message, nullptr, admission.tool)) {
      PendingRequest done = *client_requests_.complete(held.id);
      done.tool = admission.tool;
      end_request(done, false);
      refuse_to_client(held.id, audit_failure("the request was not forwarded"), "tools/call");
      continue;
    }
    pending->tool = admission.tool;
    if (admission.timeout_ms) start_call_timer(held.id, *admission.timeout_ms);
    forward_to_server(admission.replacement.empty() ? held.line : admission.replacement);
  }
}

// The kernel grants what the call's arguments named before it is forwarded; when that cannot be
// done the call is refused (and recorded so) instead of running without its grant.
bool Relay::open_call_scope(const MessageInfo& message, const Admission& admission) {
  if (!call_scope_ || admission.tool.empty()) return true;
  auto opened = call_scope_->open(message.id->key, message.id->json, admission.tool, admission.grants);
  if (opened) return true;
  PendingRequest pending = *client_requests_.complete(*message.id);
  pending.tool = admission.tool;
  end_request(pending, false);
  Refusal refusal{error_code::kGrantFailed, "grants.kernel",
                  "tool '" + admission.tool + "': " + opened.error().message, {{"tool", admission.tool}}};
  (void)audit_request(message, &refusal, "");
  refuse_to_client(message.id, refusal, message.method);
  return false;
}

void Relay::end_request(const PendingRequest& request, bool succeeded) {
  if (call_scope_) (void)call_scope_->close(request.id.key);  // withheld results: see the response path
  policy_.client_request_done(request, succeeded);
}

void Relay::start_call_timer(const RequestId& id, uint64_t timeout_ms) {
  call_timers_[id.key] = loop_.add_timer(std::chrono::milliseconds(timeout_ms),
                                         [this, id, timeout_ms] { call_timed_out(id, timeout_ms); });
}

void Relay::cancel_call_timer(const RequestId& id) {
  if (call_timers_.empty()) return;
  auto it = call_timers_.find(id.key);
  if (it == call_timers_.end()) return;
  loop_.cancel_timer(it->second);
  call_timers_.erase(it);
}

// The client gets its error now; the server is told to stop, and its late answer is dropped.
void Relay::call_timed_out(const RequestId& id, uint64_t timeout_ms) {
  call_timers_.erase(id.key);
  auto pending = client_requests_.complete(id);
  if (!pending) return;
  end_request(*pending, false);
  (void)audit_response(*pending, "timeout", 0);
  if (timed_out_.size() >= options_.max_in_flight) timed_out_.clear();  // bounded memory
  timed_out_.insert(id.key);
  std::string reason = "no answer within the tool's timeout of " + std::to_string(timeout_ms) + " ms";
  forward_to_server(R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":)" +
                    id.json + R"(,"reason":"mcpsandbox: call timed out"}})");
  if (!pending->cancelled) {
    refuse_to_client(id, Refusal{error_code::kCallTimeout, "limits.timeout",
                                 "tool '" + pending->tool + "': " + reason,
                                 {{"tool", pending->tool}, {"retry_after_ms", 0}}},
                     "tools/call");
  }
  flush_outputs();
}

}  // namespace mcpsandbox
