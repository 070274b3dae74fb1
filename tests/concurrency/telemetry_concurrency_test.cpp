// The proxy's one concurrent part: the relay's thread hands spans and counts to the OTLP
// exporter's thread. Run under ThreadSanitizer (scripts/test.sh --full) these tests prove the
// hand-over race-free; in the normal build they check nothing is lost or double-counted.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "proxy/telemetry/otlp_exporter.h"
#include "tests/support/otlp_receiver.h"

namespace mcpsandbox {
namespace {

using testing::OtlpReceiver;

OtlpConfig config_for(const OtlpReceiver& receiver) {
  OtlpConfig config;
  config.traces_url = receiver.endpoint() + "/v1/traces";
  config.metrics_url = receiver.endpoint() + "/v1/metrics";
  config.schedule_delay_ms = 1;  // export as often as possible: maximum overlap
  config.metric_interval_ms = 5;
  config.max_batch = 64;
  config.max_queue = 100000;
  config.resource = {{"service.name", "concurrency-test"}};
  return config;
}

RequestSpan span_number(int n) {
  RequestSpan span;
  span.method = "tools/call";
  span.tool = "t" + std::to_string(n % 7);
  span.decision = n % 3 ? "forward" : "refuse";
  span.outcome = "result";
  span.start = std::chrono::system_clock::now();
  span.end = span.start + std::chrono::microseconds(n);
  return span;
}

uint64_t requests_in_last_metrics(const OtlpReceiver& receiver) {
  auto metrics = receiver.bodies("/v1/metrics");
  if (metrics.empty()) return 0;
  nlohmann::json last = nlohmann::json::parse(metrics.back());
  uint64_t requests = 0;
  for (const auto& metric : last["resourceMetrics"][0]["scopeMetrics"][0]["metrics"]) {
    if (metric["name"] != "mcpsandbox.requests") continue;
    for (const auto& point : metric["sum"]["dataPoints"]) requests += std::stoull(point["asInt"].get<std::string>());
  }
  return requests;
}

// Waits (bounded) until `done` holds: a slow build (sanitizers) exports slowly, and the
// exporter's shutdown is deliberately bounded, so the test lets it catch up first.
template <typename Condition>
void wait_until(Condition done) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

size_t spans_received(const OtlpReceiver& receiver) {
  size_t count = 0;
  for (const std::string& body : receiver.bodies("/v1/traces")) {
    nlohmann::json document = nlohmann::json::parse(body);
    count += document["resourceSpans"][0]["scopeSpans"][0]["spans"].size();
  }
  return count;
}

TEST(TelemetryConcurrency, SpansFromSeveralThreadsWhileExportingAreAllDeliveredOnce) {
  OtlpReceiver receiver;
  Logger logger(LogLevel::kError);
  constexpr int kThreads = 4, kSpansEach = 2000;
  {
    auto exporter = OtlpExporter::start(config_for(receiver), {{"mcpsandbox.identity", "test"}}, logger);
    ASSERT_TRUE(exporter.ok()) << exporter.error().message;
    std::vector<std::thread> producers;
    for (int t = 0; t < kThreads; ++t) {
      producers.emplace_back([&, t] {
        for (int i = 0; i < kSpansEach; ++i) {
          (*exporter)->request_finished(span_number(t * kSpansEach + i));
          if (i % 10 == 0) (*exporter)->count_redaction("email", "redact", 1);
          if (i % 50 == 0) (*exporter)->count_violation("L4 cgroup-bpf", "connect");
        }
      });
    }
    for (auto& producer : producers) producer.join();
    constexpr size_t kTotal = kThreads * kSpansEach;
    wait_until([&] {
      return spans_received(receiver) >= kTotal && requests_in_last_metrics(receiver) >= kTotal;
    });
  }  // the destructor sends what is left (nothing) and joins the export thread
  EXPECT_EQ(spans_received(receiver), static_cast<size_t>(kThreads * kSpansEach));
  EXPECT_EQ(requests_in_last_metrics(receiver), static_cast<uint64_t>(kThreads * kSpansEach))
      << "the last metrics are cumulative and complete";
}

TEST(TelemetryConcurrency, StoppingWhileAnExportHangsIsBoundedAndRaceFree) {
  OtlpReceiver stalled(OtlpReceiver::Mode::kHang);
  Logger logger(LogLevel::kError);
  OtlpConfig config = config_for(stalled);
  config.timeout_ms = 600000;
  auto started = std::chrono::steady_clock::now();
  {
    auto exporter = OtlpExporter::start(config, {}, logger);
    ASSERT_TRUE(exporter.ok());
    std::thread producer([&] {
      for (int i = 0; i < 500; ++i) (*exporter)->request_finished(span_number(i));
    });
    producer.join();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // an export is under way
  }
  // No timing assertion on the figure (noisy machines); the join returned, which is the point.
  std::printf("exporter stopped %lld ms after start with the collector hanging\n",
              static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                         std::chrono::steady_clock::now() - started)
                                         .count()));
}

}  // namespace
}  // namespace mcpsandbox
