// OTLP/JSON encoding (the OpenTelemetry protocol's JSON mapping: hex trace and span ids, 64-bit
// integers as decimal strings) of request spans and of the proxy's metrics. Pure functions, run
// on the exporter's thread.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "proxy/telemetry/telemetry.h"

namespace mcpsandbox {

using Attributes = std::vector<std::pair<std::string, std::string>>;

// Upper bounds (seconds) of the request duration histogram's buckets; one more bucket holds
// everything slower. Fine at the low end: most of what the proxy decides takes microseconds.
inline constexpr std::array<double, 15> kDurationBounds = {
    0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60};

using LabelCounts = std::map<std::pair<std::string, std::string>, uint64_t>;

// Cumulative since `start`.
struct MetricsSnapshot {
  std::chrono::system_clock::time_point start;
  LabelCounts requests;    // (decision, method)
  LabelCounts redactions;  // (detector, action)
  LabelCounts violations;  // (layer, action)
  std::array<uint64_t, kDurationBounds.size() + 1> duration_buckets{};
  double duration_sum = 0;
  uint64_t duration_count = 0;
  uint64_t spans_dropped = 0;  // queue full or export failed
};

struct EncodedSpanIds {
  std::string trace_id, span_id, parent_span_id;
};

// Ids for a span: the trace (and parent) from its traceparent when valid, else a new trace.
EncodedSpanIds span_ids_for(const RequestSpan& span);

std::string encode_spans(const std::vector<RequestSpan>& spans, const Attributes& resource,
                         const Attributes& span_attributes);
std::string encode_metrics(const MetricsSnapshot& metrics, const Attributes& resource,
                           std::chrono::system_clock::time_point now);

}  // namespace mcpsandbox
