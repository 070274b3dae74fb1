// Relay: audit records for each decision, written before the decision takes effect, and the
// telemetry span of each request that ends here.
#include "proxy/error_codes.h"
#include "proxy/policy/canonical_json.h"
#include "proxy/relay.h"

namespace mcpsandbox {
namespace {

nlohmann::json id_value(const std::optional<RequestId>& id) {
  if (!id) return nullptr;
  return nlohmann::json::parse(id->json, nullptr, false);
}

void add_refusal(nlohmann::json& record, const Refusal& refusal) {
  record["decision"] = "refuse";
  record["code"] = refusal.code;
  record["rule"] = refusal.rule;
  record["reason"] = refusal.message;
}

RequestSpan span_of(std::string method, const std::optional<RequestId>& id,
                    std::chrono::system_clock::time_point start) {
  RequestSpan span;
  span.method = std::move(method);
  if (id) span.request_id = id->json;
  span.start = start;
  span.end = std::chrono::system_clock::now();
  return span;
}

void refused(RequestSpan& span, int code, std::string rule) {
  span.decision = "refuse";
  span.outcome = "refused";
  span.error_code = code;
  span.rule = std::move(rule);
}

}  // namespace

Refusal audit_failure(std::string_view what_happened) {
  return Refusal{error_code::kAuditFailed, "audit.write",
                 "the audit record could not be written; " + std::string(what_happened)};
}

std::string traceparent_of(const MessageInfo& message) {
  std::string_view text;
  if (message.params && message.params->type() == simdjson::dom::element_type::OBJECT &&
      !(*message.params)["_meta"]["traceparent"].get_string().get(text)) {
    return std::string(text);
  }
  return {};
}

// Every record passes here. Its top-level text (method, id, tool, reason) can come from a peer
// ("vendor/bob@example.org", a refusal quoting the server): it is redacted like the messages.
bool Relay::write_audit(nlohmann::json record) {
  for (auto& [key, value] : record.items()) {
    if (value.is_string()) {
      value = policy_.redacted_own_text(value.get_ref<const std::string&>());
    } else if (key == "id" && value.is_number_integer()) {  // a peer's id may spell a card number
      std::string digits = value.dump();
      if (std::string redacted = policy_.redacted_own_text(digits); redacted != digits) value = redacted;
    }
  }
  if (auto written = audit_->record(std::move(record)); !written) {
    logger_.error(written.error().message);
    return false;
  }
  return true;
}

bool Relay::audit_request(const MessageInfo& message, const Refusal* refusal,
                          const std::string& admitted_tool) {
  // A refused call has no admitted tool; the name it asked for is still worth recording.
  std::string tool = admitted_tool;
  std::string_view asked;
  if (tool.empty() && message.method == "tools/call" && message.params &&
      message.params->type() == simdjson::dom::element_type::OBJECT &&
      !(*message.params)["name"].get_string().get(asked)) {
    tool = asked;
  }
  if (telemetry_ && refusal) {  // a refused request ends here; a forwarded one at its response
    RequestSpan span = span_of(message.method, message.id, std::chrono::system_clock::now());
    span.tool = tool;
    span.traceparent = traceparent_of(message);
    refused(span, refusal->code, refusal->rule);
    telemetry_->request_finished(std::move(span));
  }
  if (!audit_) return true;
  nlohmann::json record = {{"event", "request"}, {"id", id_value(message.id)},
                           {"method", message.method}};
  if (!tool.empty()) record["tool"] = tool;
  if (refusal) add_refusal(record, *refusal);
  else record["decision"] = "forward";
  // Arguments are never stored; a digest lets an investigator match a call to a known value.
  simdjson::dom::element arguments;
  if (policy_.plan().audit.argument_digests && message.method == "tools/call" && message.params &&
      !(*message.params)["arguments"].get(arguments)) {
    record["arguments_sha256"] = sha256_hex(canonical_json(arguments));
  }
  return write_audit(std::move(record));
}

void Relay::audit_rejected(const std::optional<RequestId>& id, int code, std::string_view rule,
                           std::string_view reason) {
  if (telemetry_) {
    RequestSpan span = span_of("(invalid)", id, std::chrono::system_clock::now());
    refused(span, code, std::string(rule));
    span.decision = "reject";
    telemetry_->request_finished(std::move(span));
  }
  if (!audit_) return;
  nlohmann::json record = {{"event", "request"}, {"id", id_value(id)}, {"decision", "refuse"},
                           {"code", code}, {"rule", rule}, {"reason", reason}};
  (void)write_audit(std::move(record));  // refused either way
}

bool Relay::audit_response(const PendingRequest& request, std::string_view status, size_t bytes,
                           const Refusal* refusal) {
  auto elapsed = std::chrono::steady_clock::now() - request.started;
  if (telemetry_) {
    auto start = std::chrono::system_clock::now() -
                 std::chrono::duration_cast<std::chrono::system_clock::duration>(elapsed);
    RequestSpan span = span_of(request.method, request.id, start);
    span.tool = request.tool;
    span.traceparent = request.traceparent;
    span.decision = "forward";
    span.outcome = status == "filtered" ? "result" : std::string(status);
    if (refusal) refused(span, refusal->code, refusal->rule);
    telemetry_->request_finished(std::move(span));
  }
  if (!audit_) return true;
  nlohmann::json record = {
      {"event", "response"}, {"id", id_value(request.id)}, {"method", request.method},
      {"status", status}, {"bytes", bytes},
      {"latency_us", std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count()}};
  if (!request.tool.empty()) record["tool"] = request.tool;
  if (refusal) add_refusal(record, *refusal);
  return write_audit(std::move(record));
}

void Relay::audit_policy_events() {
  for (nlohmann::json& event : policy_.take_audit_events()) {
    if (telemetry_ && event.value("event", "") == "redaction") {
      for (const auto& finding : event["findings"]) {
        telemetry_->count_redaction(finding.value("detector", "?"), finding.value("action", "?"),
                                    finding.value("count", uint64_t{1}));
      }
    }
    if (audit_) (void)write_audit(std::move(event));
  }
}

bool Relay::audit_server_request(const MessageInfo& message, const Refusal* refusal) {
  if (!audit_) return true;
  nlohmann::json record = {{"event", "server_request"}, {"id", id_value(message.id)},
                           {"method", message.method}};
  if (refusal) add_refusal(record, *refusal);
  else record["decision"] = "forward";
  return write_audit(std::move(record));
}

}  // namespace mcpsandbox
