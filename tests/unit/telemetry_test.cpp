#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "proxy/telemetry/otlp_config.h"
#include "proxy/telemetry/otlp_json.h"
#include "proxy/telemetry/trace_context.h"

namespace mcpsandbox {
namespace {

EnvLookup env_of(std::map<std::string, std::string> values) {
  auto shared = std::make_shared<std::map<std::string, std::string>>(std::move(values));
  return [shared](const char* name) -> const char* {
    auto found = shared->find(name);
    return found == shared->end() ? nullptr : found->second.c_str();
  };
}

TEST(TraceParent, ReadsValidHeadersAndRejectsEverythingElse) {
  auto parsed = parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(parsed->span_id, "00f067aa0ba902b7");
  EXPECT_TRUE(parsed->sampled);
  // A future version may append fields after a dash.
  EXPECT_TRUE(parse_traceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-extra"));
  for (const char* bad : {"", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
                          "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                          "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
                          "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
                          "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                          "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x",
                          "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01"}) {
    EXPECT_FALSE(parse_traceparent(bad)) << bad;
  }
}

TEST(TraceParent, RandomIdsAreHexOfTheRightLengthAndDiffer) {
  std::string a = random_hex_id(16), b = random_hex_id(16);
  EXPECT_EQ(a.size(), 32u);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST(OtlpConfig, NothingWithoutAnEndpointOrWhenDisabled) {
  auto none = otlp_config_from_env(env_of({}));
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(*none);
  auto disabled = otlp_config_from_env(env_of({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"},
                                               {"OTEL_SDK_DISABLED", "true"}}));
  ASSERT_TRUE(disabled.ok());
  EXPECT_FALSE(*disabled);
}

TEST(OtlpConfig, ReadsTheStandardVariables) {
  auto config = otlp_config_from_env(env_of({
      {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/"},
      {"OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "https://metrics.example/v1/m"},
      {"OTEL_EXPORTER_OTLP_HEADERS", "api-key=a%2Cb, x=1"},
      {"OTEL_EXPORTER_OTLP_TRACES_HEADERS", "only=traces"},
      {"OTEL_EXPORTER_OTLP_TIMEOUT", "2500"},
      {"OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"},
      {"OTEL_RESOURCE_ATTRIBUTES", "service.name=ignored,deployment.environment=ci"},
      {"OTEL_SERVICE_NAME", "gateway"},
      {"OTEL_BSP_MAX_QUEUE_SIZE", "100"},
      {"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "500"},
  }));
  ASSERT_TRUE(config.ok()) << config.error().message;
  ASSERT_TRUE(*config);
  const OtlpConfig& c = **config;
  EXPECT_EQ(c.traces_url, "http://collector:4318/v1/traces");
  EXPECT_EQ(c.metrics_url, "https://metrics.example/v1/m");
  EXPECT_EQ(c.trace_headers, (std::vector<std::string>{"api-key: a,b", "x: 1", "only: traces"}));
  EXPECT_EQ(c.metric_headers, (std::vector<std::string>{"api-key: a,b", "x: 1"}));
  EXPECT_EQ(c.timeout_ms, 2500u);
  EXPECT_EQ(c.max_batch, 100u) << "a batch never exceeds the queue";
  ASSERT_EQ(c.resource.size(), 2u);
  EXPECT_EQ(c.resource[0], (std::pair<std::string, std::string>{"service.name", "gateway"}));
  EXPECT_EQ(c.resource[1].first, "deployment.environment");
  auto traces_off = otlp_config_from_env(env_of({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"},
                                                 {"OTEL_TRACES_EXPORTER", "none"}}));
  EXPECT_TRUE((*traces_off)->traces_url.empty());
  EXPECT_FALSE((*traces_off)->metrics_url.empty());
}

TEST(OtlpConfig, BadValuesNameTheVariable) {
  for (auto [variable, value] : std::vector<std::pair<std::string, std::string>>{
           {"OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"},
           {"OTEL_EXPORTER_OTLP_TIMEOUT", "soon"},
           {"OTEL_EXPORTER_OTLP_HEADERS", "novalue"},
           {"OTEL_EXPORTER_OTLP_HEADERS", "x=a%0d%0aInjected: 1"},
           {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "ftp://c/v1/traces"},
           {"OTEL_BSP_MAX_QUEUE_SIZE", "-1"}}) {
    auto config = otlp_config_from_env(env_of({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"},
                                               {variable, value}}));
    ASSERT_FALSE(config.ok()) << variable << "=" << value;
    EXPECT_NE(config.error().message.find(variable), std::string::npos) << config.error().message;
  }
}

TEST(OtlpJson, MetricsAreCumulativeWithMatchingBuckets) {
  MetricsSnapshot metrics;
  metrics.start = std::chrono::system_clock::now();
  metrics.requests[{"forward", "tools/call"}] = 7;
  metrics.duration_buckets[2] = 7;
  metrics.duration_count = 7;
  metrics.spans_dropped = 3;
  auto body = nlohmann::json::parse(encode_metrics(metrics, {{"service.name", "s"}}, metrics.start));
  const auto& list = body["resourceMetrics"][0]["scopeMetrics"][0]["metrics"];
  ASSERT_EQ(list.size(), 5u);
  EXPECT_EQ(list[0]["name"], "mcpsandbox.requests");
  EXPECT_EQ(list[0]["sum"]["aggregationTemporality"], 2);
  EXPECT_EQ(list[0]["sum"]["dataPoints"][0]["asInt"], "7");
  const auto& histogram = list[1]["histogram"]["dataPoints"][0];
  EXPECT_EQ(histogram["bucketCounts"].size(), kDurationBounds.size() + 1);
  EXPECT_EQ(histogram["bucketCounts"][2], "7");
  EXPECT_EQ(list[4]["sum"]["dataPoints"][0]["asInt"], "3");
}

}  // namespace
}  // namespace mcpsandbox
