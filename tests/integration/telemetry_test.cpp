// OTLP/HTTP export end to end: mcpsandbox + the fixture server, with a loopback receiver that
// checks what arrives. A dead or stalled collector must never cost the client an answer.
#include <fstream>

#include "tests/integration/relay_harness.h"
#include "tests/support/otlp_receiver.h"

namespace mcpsandbox::testing {
namespace {

constexpr const char* kTraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr const char* kParentSpan = "00f067aa0ba902b7";

// mcpsandbox with OTEL_* set (through env(1): the variables are the interface under test).
std::vector<std::string> with_otel(const std::vector<std::string>& command,
                                   const std::vector<std::string>& variables) {
  std::vector<std::string> argv = {"/usr/bin/env"};
  argv.insert(argv.end(), variables.begin(), variables.end());
  argv.insert(argv.end(), command.begin(), command.end());
  return argv;
}

std::string attribute(const json& attributes, const std::string& key) {
  for (const auto& item : attributes) {
    if (item["key"] == key) {
      const json& value = item["value"];
      return value.contains("stringValue") ? value["stringValue"].get<std::string>()
                                           : value.begin()->get<std::string>();
    }
  }
  return "";
}

std::vector<json> spans_in(const std::vector<std::string>& bodies) {
  std::vector<json> spans;
  for (const std::string& body : bodies) {
    json document = json::parse(body);  // named: a temporary would die before the loop runs
    for (const auto& resource : document["resourceSpans"]) {
      for (const auto& scope : resource["scopeSpans"]) {
        for (const auto& span : scope["spans"]) spans.push_back(span);
      }
    }
  }
  return spans;
}

class TelemetryTest : public ::testing::Test {
 protected:
  TempDir dir_, policy_;
};

TEST_F(TelemetryTest, SpansJoinTheClientsTraceCarryTheDecisionAndMetricsCountThem) {
  OtlpReceiver collector;
  std::ofstream(policy_.file("profile.json")) << R"({"access": {"tools": {"deny": ["crash"]}}})";
  McpClient proxy(with_otel(
      fixture_command(dir_, {"--profile", policy_.file("profile.json")}),
      {"OTEL_EXPORTER_OTLP_ENDPOINT=" + collector.endpoint(),
       "OTEL_EXPORTER_OTLP_HEADERS=authorization=Bearer%20s3cret,x-tenant=ci",
       "OTEL_SERVICE_NAME=mcpsandbox-test", "OTEL_BSP_SCHEDULE_DELAY=50"}));
  std::string traceparent = std::string("00-") + kTraceId + "-" + kParentSpan + "-01";
  proxy.send_line(request(1, "tools/call",
                          {{"name", "echo"}, {"arguments", {{"text", "hi"}}},
                           {"_meta", {{"traceparent", traceparent}}}}));
  EXPECT_EQ(next_message(proxy)["result"]["content"][0]["text"], "hi");
  proxy.send_line(tool_call(2, "crash"));
  EXPECT_EQ(error_code_of(next_message(proxy)), -31011);
  proxy.send_line(tool_call(3, "env"));
  std::string server_env = next_message(proxy)["result"]["content"][0]["text"];
  proxy.close_stdin();
  EXPECT_EQ(proxy.wait(), 0) << proxy.stderr_text();

  EXPECT_EQ(server_env.find("OTEL_"), std::string::npos) << "the collector's credentials stay out of the sandbox";
  auto spans = spans_in(collector.bodies("/v1/traces"));
  ASSERT_EQ(spans.size(), 4u) << "the session's initialize and the three calls: " << collector.posts().size()
                              << " posts; " << proxy.stderr_text();
  const json* joined = nullptr;
  const json* refused = nullptr;
  for (const auto& span : spans) {
    if (span["name"] == "tools/call echo") joined = &span;
    if (span["name"] == "tools/call crash") refused = &span;
  }
  ASSERT_TRUE(joined && refused);
  EXPECT_EQ((*joined)["traceId"], kTraceId);
  EXPECT_EQ((*joined)["parentSpanId"], kParentSpan);
  EXPECT_EQ((*joined)["spanId"].get<std::string>().size(), 16u);
  EXPECT_EQ(attribute((*joined)["attributes"], "mcpsandbox.decision"), "forward");
  EXPECT_EQ(attribute((*joined)["attributes"], "gen_ai.tool.name"), "echo");
  EXPECT_EQ(attribute((*joined)["attributes"], "mcpsandbox.identity"), "uid 0 (root)");
  EXPECT_EQ((*joined)["status"]["code"], 1);
  EXPECT_LE(std::stoull((*joined)["startTimeUnixNano"].get<std::string>()),
            std::stoull((*joined)["endTimeUnixNano"].get<std::string>()));
  EXPECT_EQ(attribute((*refused)["attributes"], "mcpsandbox.decision"), "refuse");
  EXPECT_EQ(attribute((*refused)["attributes"], "mcpsandbox.rule"), "tools.deny");
  EXPECT_EQ(attribute((*refused)["attributes"], "rpc.jsonrpc.error_code"), "-31011");
  EXPECT_EQ((*refused)["status"]["code"], 2);
  EXPECT_NE((*refused)["traceId"], kTraceId) << "no traceparent: a trace of its own";
  EXPECT_FALSE(refused->contains("parentSpanId"));

  auto traces = collector.posts();
  ASSERT_FALSE(traces.empty());
  EXPECT_NE(traces[0].headers.find("authorization: bearer s3cret"), std::string::npos) << traces[0].headers;
  EXPECT_NE(traces[0].headers.find("content-type: application/json"), std::string::npos);
  json resource = json::parse(collector.bodies("/v1/traces")[0])["resourceSpans"][0]["resource"];
  EXPECT_EQ(attribute(resource["attributes"], "service.name"), "mcpsandbox-test");

  // Metrics go out at the end of the session at the latest (cumulative).
  auto metrics = collector.bodies("/v1/metrics");
  ASSERT_FALSE(metrics.empty());
  std::map<std::string, json> by_name;
  json last = json::parse(metrics.back());
  for (const auto& metric : last["resourceMetrics"][0]["scopeMetrics"][0]["metrics"]) {
    by_name[metric["name"]] = metric;
  }
  std::map<std::string, std::string> requests;
  for (const auto& point : by_name["mcpsandbox.requests"]["sum"]["dataPoints"]) {
    requests[attribute(point["attributes"], "mcpsandbox.decision") + " " +
             attribute(point["attributes"], "mcp.method.name")] = point["asInt"];
  }
  EXPECT_EQ(requests["forward tools/call"], "2");
  EXPECT_EQ(requests["refuse tools/call"], "1");
  const json& histogram = by_name["mcpsandbox.request.duration"]["histogram"]["dataPoints"][0];
  EXPECT_EQ(histogram["count"], "4") << "the initialize and the three calls";
  uint64_t in_buckets = 0;
  for (const auto& count : histogram["bucketCounts"]) in_buckets += std::stoull(count.get<std::string>());
  EXPECT_EQ(in_buckets, 4u);
  EXPECT_EQ(histogram["bucketCounts"].size(), histogram["explicitBounds"].size() + 1);
}

TEST_F(TelemetryTest, ADeadCollectorCostsNoAnswerAndTheLossIsCounted) {
  std::string closed_port;
  {
    OtlpReceiver gone;  // its port, once it is closed
    closed_port = gone.endpoint();
  }
  McpClient proxy(with_otel(fixture_command(dir_),
                               {"OTEL_EXPORTER_OTLP_ENDPOINT=" + closed_port,
                                "OTEL_BSP_SCHEDULE_DELAY=20"}));
  for (int id = 1; id <= 20; ++id) {
    proxy.send_line(tool_call(id, "echo", {{"text", std::to_string(id)}}));
    EXPECT_EQ(next_message(proxy)["result"]["content"][0]["text"], std::to_string(id));
  }
  proxy.close_stdin();
  EXPECT_EQ(proxy.wait(), 0);
  std::string log = proxy.stderr_text();
  EXPECT_NE(log.find("telemetry: export to " + closed_port + "/v1/traces failed"), std::string::npos) << log;
  EXPECT_NE(log.find("21 of 21 spans were not delivered"), std::string::npos) << "20 calls and the initialize: " << log;
}

TEST_F(TelemetryTest, AStalledCollectorCostsNoAnswerAndShutdownIsBounded) {
  OtlpReceiver stalled(OtlpReceiver::Mode::kHang);
  McpClient proxy(with_otel(fixture_command(dir_),
                               {"OTEL_EXPORTER_OTLP_ENDPOINT=" + stalled.endpoint(),
                                "OTEL_EXPORTER_OTLP_TIMEOUT=600000", "OTEL_BSP_SCHEDULE_DELAY=10",
                                "OTEL_BSP_MAX_QUEUE_SIZE=8"}));
  for (int id = 1; id <= 50; ++id) {
    proxy.send_line(tool_call(id, "echo", {{"text", std::to_string(id)}}));
    EXPECT_EQ(next_message(proxy)["result"]["content"][0]["text"], std::to_string(id));
  }
  proxy.close_stdin();
  // The export under way waits on a collector that never answers (its own timeout is ten
  // minutes); the session's end cuts it off after OtlpExporter::kShutdownTimeoutMs.
  EXPECT_EQ(proxy.wait(30s), 0);
  std::string log = proxy.stderr_text();
  EXPECT_NE(log.find("spans were not delivered"), std::string::npos) << log;
}

TEST_F(TelemetryTest, AnUnsupportedProtocolIsAClearErrorBeforeAnythingStarts) {
  McpClient proxy(with_otel(fixture_command(dir_),
                               {"OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318",
                                "OTEL_EXPORTER_OTLP_PROTOCOL=grpc"}));
  EXPECT_EQ(proxy.wait(), 2);
  EXPECT_NE(proxy.stderr_text().find("OTEL_EXPORTER_OTLP_PROTOCOL=grpc: mcpsandbox exports OTLP/HTTP with JSON only"),
            std::string::npos);
  EXPECT_FALSE(std::ifstream(dir_.file("received")).good()) << "no server was started";
}

}  // namespace
}  // namespace mcpsandbox::testing
