#include "proxy/telemetry/otlp_json.h"

#include <nlohmann/json.hpp>

#include "proxy/telemetry/trace_context.h"

namespace mcpsandbox {
namespace {

using json = nlohmann::ordered_json;

std::string nanos(std::chrono::system_clock::time_point at) {
  return std::to_string(
      std::chrono::duration_cast<std::chrono::nanoseconds>(at.time_since_epoch()).count());
}

json string_attribute(const std::string& key, const std::string& value) {
  return {{"key", key}, {"value", {{"stringValue", value}}}};
}

json int_attribute(const std::string& key, int64_t value) {
  return {{"key", key}, {"value", {{"intValue", std::to_string(value)}}}};
}

json attributes(const Attributes& list) {
  json out = json::array();
  for (const auto& [key, value] : list) out.push_back(string_attribute(key, value));
  return out;
}

json resource_of(const Attributes& resource) { return {{"attributes", attributes(resource)}}; }

json scope() { return {{"name", "mcpsandbox"}}; }

json span_json(const RequestSpan& span, const Attributes& span_attributes) {
  EncodedSpanIds ids = span_ids_for(span);
  // Named as the MCP semantic conventions name server spans: "{method} {target}".
  json out = {{"traceId", ids.trace_id}, {"spanId", ids.span_id}};
  if (!ids.parent_span_id.empty()) out["parentSpanId"] = ids.parent_span_id;
  out["name"] = span.tool.empty() ? span.method : span.method + " " + span.tool;
  out["kind"] = 2;  // SPAN_KIND_SERVER: the proxy serves the client's request
  out["startTimeUnixNano"] = nanos(span.start);
  out["endTimeUnixNano"] = nanos(span.end);
  json list = attributes(span_attributes);
  list.push_back(string_attribute("mcp.method.name", span.method));
  if (!span.tool.empty()) list.push_back(string_attribute("gen_ai.tool.name", span.tool));
  if (!span.request_id.empty()) list.push_back(string_attribute("jsonrpc.request.id", span.request_id));
  list.push_back(string_attribute("mcpsandbox.decision", span.decision));
  if (!span.rule.empty()) list.push_back(string_attribute("mcpsandbox.rule", span.rule));
  list.push_back(string_attribute("mcpsandbox.outcome", span.outcome));
  if (span.error_code) list.push_back(int_attribute("rpc.jsonrpc.error_code", span.error_code));
  out["attributes"] = std::move(list);
  bool failed = span.decision != "forward" || span.outcome != "result";
  out["status"] = failed ? json{{"code", 2}, {"message", span.rule.empty() ? span.outcome : span.rule}}
                         : json{{"code", 1}};
  return out;
}

json sum_metric(const char* name, const char* unit, const char* description,
                const LabelCounts& counts, const char* first_label, const char* second_label,
                const std::string& start, const std::string& now) {
  json points = json::array();
  for (const auto& [labels, count] : counts) {
    points.push_back({{"attributes", {string_attribute(first_label, labels.first),
                                      string_attribute(second_label, labels.second)}},
                      {"startTimeUnixNano", start},
                      {"timeUnixNano", now},
                      {"asInt", std::to_string(count)}});
  }
  return {{"name", name},
          {"unit", unit},
          {"description", description},
          {"sum", {{"aggregationTemporality", 2}, {"isMonotonic", true}, {"dataPoints", points}}}};
}

}  // namespace

EncodedSpanIds span_ids_for(const RequestSpan& span) {
  EncodedSpanIds ids;
  if (auto parent = parse_traceparent(span.traceparent)) {
    ids.trace_id = parent->trace_id;
    ids.parent_span_id = parent->span_id;
  } else {
    ids.trace_id = random_hex_id(16);
  }
  ids.span_id = random_hex_id(8);
  return ids;
}

std::string encode_spans(const std::vector<RequestSpan>& spans, const Attributes& resource,
                         const Attributes& span_attributes) {
  json list = json::array();
  for (const RequestSpan& span : spans) list.push_back(span_json(span, span_attributes));
  json body = {{"resourceSpans",
                {{{"resource", resource_of(resource)},
                  {"scopeSpans", {{{"scope", scope()}, {"spans", std::move(list)}}}}}}}};
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string encode_metrics(const MetricsSnapshot& metrics, const Attributes& resource,
                           std::chrono::system_clock::time_point now) {
  std::string start = nanos(metrics.start), at = nanos(now);
  json list = json::array();
  list.push_back(sum_metric("mcpsandbox.requests", "{request}", "client requests by decision",
                            metrics.requests, "mcpsandbox.decision", "mcp.method.name", start, at));
  json buckets = json::array();
  for (uint64_t count : metrics.duration_buckets) buckets.push_back(std::to_string(count));
  list.push_back({{"name", "mcpsandbox.request.duration"},
                  {"unit", "s"},
                  {"description", "time from a request's arrival to its answer leaving the proxy"},
                  {"histogram",
                   {{"aggregationTemporality", 2},
                    {"dataPoints",
                     {{{"startTimeUnixNano", start},
                       {"timeUnixNano", at},
                       {"count", std::to_string(metrics.duration_count)},
                       {"sum", metrics.duration_sum},
                       {"bucketCounts", buckets},
                       {"explicitBounds", kDurationBounds}}}}}}});
  list.push_back(sum_metric("mcpsandbox.redactions", "{finding}", "redaction findings",
                            metrics.redactions, "mcpsandbox.detector", "mcpsandbox.action", start, at));
  list.push_back(sum_metric("mcpsandbox.violations", "{denial}", "syscall-layer refusals",
                            metrics.violations, "mcpsandbox.layer", "mcpsandbox.action", start, at));
  LabelCounts dropped = {{{"spans", "dropped"}, metrics.spans_dropped}};
  list.push_back(sum_metric("mcpsandbox.telemetry.dropped", "{span}",
                            "spans not delivered (queue full or export failed)", dropped,
                            "mcpsandbox.signal", "mcpsandbox.reason", start, at));
  json body = {{"resourceMetrics",
                {{{"resource", resource_of(resource)},
                  {"scopeMetrics", {{{"scope", scope()}, {"metrics", std::move(list)}}}}}}}};
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace mcpsandbox
