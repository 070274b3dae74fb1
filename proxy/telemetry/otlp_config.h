// Where and how to send OTLP/HTTP (JSON), from the standard OpenTelemetry environment variables:
// OTEL_EXPORTER_OTLP_ENDPOINT (base URL; /v1/traces and /v1/metrics are appended),
// OTEL_EXPORTER_OTLP_{TRACES,METRICS}_ENDPOINT (full URLs), OTEL_EXPORTER_OTLP[_{TRACES,METRICS}]
// _HEADERS ("k=v,k2=v2", values percent-decoded), OTEL_EXPORTER_OTLP_TIMEOUT (ms),
// OTEL_EXPORTER_OTLP_PROTOCOL (only http/json), OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES,
// OTEL_SDK_DISABLED, OTEL_{TRACES,METRICS}_EXPORTER=none, OTEL_BSP_SCHEDULE_DELAY,
// OTEL_BSP_MAX_QUEUE_SIZE, OTEL_BSP_MAX_EXPORT_BATCH_SIZE, OTEL_METRIC_EXPORT_INTERVAL.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "profiles/support/result.h"

namespace mcpsandbox {

struct OtlpConfig {
  std::string traces_url, metrics_url;  // empty: that signal is not exported
  std::vector<std::string> trace_headers, metric_headers;  // "Name: value"
  uint64_t timeout_ms = 10000;
  std::vector<std::pair<std::string, std::string>> resource;  // service.name first
  uint64_t schedule_delay_ms = 5000;
  size_t max_queue = 2048;
  size_t max_batch = 512;
  uint64_t metric_interval_ms = 60000;
};

using EnvLookup = std::function<const char*(const char*)>;

// Nothing when no endpoint is configured (or the SDK is disabled); an error names the variable
// that is wrong.
Result<std::optional<OtlpConfig>> otlp_config_from_env(const EnvLookup& env);

}  // namespace mcpsandbox
