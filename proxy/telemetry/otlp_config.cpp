#include "proxy/telemetry/otlp_config.h"

#include <cstdlib>

namespace mcpsandbox {
namespace {

std::string value_of(const EnvLookup& env, const char* name) {
  const char* value = env(name);
  return value ? value : "";
}

std::string trim(std::string text) {
  size_t start = text.find_first_not_of(" \t");
  size_t end = text.find_last_not_of(" \t");
  return start == std::string::npos ? "" : text.substr(start, end - start + 1);
}

Result<std::string> percent_decode(const std::string& text, const char* variable) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size() || !std::isxdigit(static_cast<unsigned char>(text[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      return Error{std::string(variable) + ": bad percent-encoding"};
    }
    out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
    i += 2;
  }
  return out;
}

// "k=v,k2=v2" (W3C Baggage-like, as the OTLP exporter spec says).
Result<std::vector<std::pair<std::string, std::string>>> key_values(const std::string& text,
                                                                     const char* variable) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string item = trim(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (!item.empty()) {
      size_t equals = item.find('=');
      if (equals == std::string::npos || equals == 0) {
        return Error{std::string(variable) + ": expected key=value pairs separated by commas"};
      }
      auto value = percent_decode(trim(item.substr(equals + 1)), variable);
      if (!value) return value.error();
      std::string key = trim(item.substr(0, equals));
      // A header must not smuggle a second header or request line.
      if (key.find_first_of("\r\n:") != std::string::npos || value->find_first_of("\r\n") != std::string::npos) {
        return Error{std::string(variable) + ": line breaks or ':' in a key"};
      }
      out.emplace_back(key, *value);
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

Result<std::vector<std::string>> headers(const EnvLookup& env, const char* variable) {
  auto pairs = key_values(value_of(env, variable), variable);
  if (!pairs) return pairs.error();
  std::vector<std::string> out;
  for (auto& [key, value] : *pairs) out.push_back(key + ": " + value);
  return out;
}

Result<void> number(const EnvLookup& env, const char* variable, uint64_t& out, uint64_t minimum) {
  std::string text = value_of(env, variable);
  if (text.empty()) return {};
  char* end = nullptr;
  unsigned long long value = std::strtoull(text.c_str(), &end, 10);
  if (*end != '\0' || text[0] == '-' || value < minimum) {
    return Error{std::string(variable) + "=" + text + ": expected a whole number >= " + std::to_string(minimum)};
  }
  out = value;
  return {};
}

Result<std::string> url(const std::string& text, const char* variable) {
  if (text.rfind("http://", 0) != 0 && text.rfind("https://", 0) != 0) {
    return Error{std::string(variable) + "=" + text + ": expected an http:// or https:// URL"};
  }
  return text;
}

// The base endpoint gets the signal's path; a signal-specific endpoint is used as given.
Result<std::string> signal_url(const EnvLookup& env, const char* specific, const std::string& base,
                               const char* path) {
  if (std::string given = value_of(env, specific); !given.empty()) return url(given, specific);
  if (base.empty()) return std::string();
  std::string joined = base;
  while (!joined.empty() && joined.back() == '/') joined.pop_back();
  return url(joined + path, "OTEL_EXPORTER_OTLP_ENDPOINT");
}

}  // namespace

Result<std::optional<OtlpConfig>> otlp_config_from_env(const EnvLookup& env) {
  if (value_of(env, "OTEL_SDK_DISABLED") == "true") return std::optional<OtlpConfig>();
  OtlpConfig config;
  std::string base = value_of(env, "OTEL_EXPORTER_OTLP_ENDPOINT");
  auto traces = signal_url(env, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", base, "/v1/traces");
  if (!traces) return traces.error();
  auto metrics = signal_url(env, "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", base, "/v1/metrics");
  if (!metrics) return metrics.error();
  if (value_of(env, "OTEL_TRACES_EXPORTER") != "none") config.traces_url = *traces;
  if (value_of(env, "OTEL_METRICS_EXPORTER") != "none") config.metrics_url = *metrics;
  if (config.traces_url.empty() && config.metrics_url.empty()) return std::optional<OtlpConfig>();

  for (const char* variable : {"OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
                               "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL"}) {
    std::string protocol = value_of(env, variable);
    if (!protocol.empty() && protocol != "http/json") {
      return Error{std::string(variable) + "=" + protocol + ": mcpsandbox exports OTLP/HTTP with "
                   "JSON only; set it to http/json (an OpenTelemetry Collector's otlp receiver "
                   "accepts it on the same port)"};
    }
  }
  auto common = headers(env, "OTEL_EXPORTER_OTLP_HEADERS");
  if (!common) return common.error();
  auto trace_only = headers(env, "OTEL_EXPORTER_OTLP_TRACES_HEADERS");
  if (!trace_only) return trace_only.error();
  auto metric_only = headers(env, "OTEL_EXPORTER_OTLP_METRICS_HEADERS");
  if (!metric_only) return metric_only.error();
  config.trace_headers = *common;
  config.trace_headers.insert(config.trace_headers.end(), trace_only->begin(), trace_only->end());
  config.metric_headers = *common;
  config.metric_headers.insert(config.metric_headers.end(), metric_only->begin(), metric_only->end());

  uint64_t max_queue = config.max_queue, max_batch = config.max_batch;
  for (auto [variable, target, minimum] :
       {std::tuple{"OTEL_EXPORTER_OTLP_TIMEOUT", &config.timeout_ms, uint64_t{1}},
        std::tuple{"OTEL_BSP_SCHEDULE_DELAY", &config.schedule_delay_ms, uint64_t{1}},
        std::tuple{"OTEL_BSP_MAX_QUEUE_SIZE", &max_queue, uint64_t{1}},
        std::tuple{"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", &max_batch, uint64_t{1}},
        std::tuple{"OTEL_METRIC_EXPORT_INTERVAL", &config.metric_interval_ms, uint64_t{1}}}) {
    if (auto r = number(env, variable, *target, minimum); !r) return r.error();
  }
  config.max_queue = max_queue;
  config.max_batch = std::min(max_batch, max_queue);

  auto attributes = key_values(value_of(env, "OTEL_RESOURCE_ATTRIBUTES"), "OTEL_RESOURCE_ATTRIBUTES");
  if (!attributes) return attributes.error();
  std::string service = value_of(env, "OTEL_SERVICE_NAME");
  for (const auto& [key, value] : *attributes) {
    if (key == "service.name" && service.empty()) service = value;
  }
  config.resource.emplace_back("service.name", service.empty() ? "mcpsandbox" : service);
  for (auto& attribute : *attributes) {
    if (attribute.first != "service.name") config.resource.push_back(std::move(attribute));
  }
  return std::optional<OtlpConfig>(std::move(config));
}

}  // namespace mcpsandbox
