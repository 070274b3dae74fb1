// Relay: audit records for each decision, written before the decision takes effect.
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

}  // namespace

bool Relay::audit_request(const MessageInfo& message, const Refusal* refusal,
                          const std::string& tool) {
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
  if (auto written = audit_->record(std::move(record)); !written) {
    logger_.error(written.error().message);
    return false;
  }
  return true;
}

void Relay::audit_rejected(const std::optional<RequestId>& id, int code, std::string_view rule,
                           std::string_view reason) {
  if (!audit_) return;
  nlohmann::json record = {{"event", "request"}, {"id", id_value(id)}, {"decision", "refuse"},
                           {"code", code}, {"rule", rule}, {"reason", reason}};
  if (auto written = audit_->record(std::move(record)); !written) {
    logger_.error(written.error().message);  // refused either way
  }
}

bool Relay::audit_response(const PendingRequest& request, std::string_view status, size_t bytes,
                           const Refusal* refusal) {
  if (!audit_) return true;
  auto elapsed = std::chrono::steady_clock::now() - request.started;
  nlohmann::json record = {
      {"event", "response"}, {"id", id_value(request.id)}, {"method", request.method},
      {"status", status}, {"bytes", bytes},
      {"latency_us", std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count()}};
  if (!request.tool.empty()) record["tool"] = request.tool;
  if (refusal) add_refusal(record, *refusal);
  if (auto written = audit_->record(std::move(record)); !written) {
    logger_.error(written.error().message);
    return false;
  }
  return true;
}

void Relay::audit_policy_events() {
  for (nlohmann::json& event : policy_.take_audit_events()) {
    if (!audit_) continue;
    if (auto written = audit_->record(std::move(event)); !written) logger_.error(written.error().message);
  }
}

bool Relay::audit_server_request(const MessageInfo& message, const Refusal* refusal) {
  if (!audit_) return true;
  nlohmann::json record = {{"event", "server_request"}, {"id", id_value(message.id)},
                           {"method", message.method}};
  if (refusal) add_refusal(record, *refusal);
  else record["decision"] = "forward";
  if (auto written = audit_->record(std::move(record)); !written) {
    logger_.error(written.error().message);
    return false;
  }
  return true;
}

}  // namespace mcpsandbox
