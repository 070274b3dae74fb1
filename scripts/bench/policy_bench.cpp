// CPU cost of the protocol-layer policy per typical tools/call, against its baseline in the
// same run: parsing and validating the message alone (what the relay did before policy). The
// policy case is a profile with an allow list, a tool rule (rate limit, tags, a path argument
// confined to a root with deny globs), a flow rule, the listed tool's JSON Schema and the
// built-in detectors; the path resolver is lexical (no filesystem), as the relay's own cost.
#include <benchmark/benchmark.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "profiles/policy/proxy_compiler.h"
#include "profiles/profile_parser.h"
#include "proxy/message.h"
#include "proxy/policy/policy_engine.h"

namespace {

using namespace mcpsandbox;

constexpr const char* kCall =
    R"({"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"name":"read_file","arguments":{"path":"/home/user/src/main.cpp","head":20},"_meta":{"progressToken":"p-42"}}})";

constexpr const char* kProfile = R"({
  "access": {"tools": {"allow": ["read_*", "list_*", "search_*"], "deny": ["*_secret"]}},
  "tools": {"read_file": {"tags": ["private-data"], "rate": "100000000/s",
                          "arguments": {"path": {"path": {"roots": ["/home/user/src"],
                                                          "deny": ["**/.ssh/**", "**/.env"]}}}},
            "send_*": {"tags": ["external-sink"]}},
  "flows": [{"after": "private-data", "deny": "external-sink"}]
})";

constexpr const char* kList = R"({"jsonrpc":"2.0","id":1,"result":{"tools":[{"name":"read_file",
  "description":"Read a file","inputSchema":{"type":"object","properties":{
  "path":{"type":"string","minLength":1},"head":{"type":"integer","minimum":0},
  "tail":{"type":"integer","minimum":0}},"required":["path"],"additionalProperties":false}}]}})";

void ParseOnly(benchmark::State& state) {
  MessageParser parser;
  simdjson::padded_string line{std::string(kCall)};
  for (auto _ : state) benchmark::DoNotOptimize(parser.parse(std::string_view(line)));
}
BENCHMARK(ParseOnly);

void ParseAndPolicy(benchmark::State& state) {
  Logger logger(LogLevel::kError);
  LexicalPathResolver resolver;
  auto profile = parse_profile(kProfile, "bench.json");
  ProxyCompileInput input;
  input.cwd = input.server_cwd = "/home/user/src";
  auto compiled = compile_proxy_plan(profile->policy, input);
  auto engine = PolicyEngine::create(compiled->plan, PolicyContext{&resolver, "/home/user", true, nullptr}, logger);
  MessageParser parser;
  {
    auto listed = parser.parse_copy(kList);
    (void)engine->review_response({{"n:1", "1"}, "tools/list", "", {}}, std::get<MessageInfo>(listed));
  }
  simdjson::padded_string line{std::string(kCall)};
  PendingRequest done{{"n:42", "42"}, "tools/call", "", "read_file"};
  for (auto _ : state) {
    ParsedMessage parsed = parser.parse(std::string_view(line));
    auto decision = engine->admit_client_request(std::get<MessageInfo>(parsed));
    if (auto* refusal = std::get_if<Refusal>(&decision)) {
      state.SkipWithError(("refused: " + refusal->rule + ": " + refusal->message).c_str());
      break;
    }
    engine->client_request_done(done, false);  // frees the concurrency slot, no flow taint
    benchmark::DoNotOptimize(decision);
  }
}
BENCHMARK(ParseAndPolicy);

// Redaction of 1 MiB of `phrase` repeated, scanned in place as the policy engine does (a string
// of an already parsed message). Target: at least 1 GB/s per core on clean text.
void scan_repeated(benchmark::State& state, std::string_view phrase,
                   const ScanEngine& engine = process_scan_engine()) {
  auto redactor = Redactor::create({}, engine);
  std::string text;
  while (text.size() < (1u << 20)) text += phrase;
  simdjson::dom::parser parser;
  simdjson::dom::element value = parser.parse(nlohmann::json(text).dump());
  for (auto _ : state) {
    benchmark::DoNotOptimize(redactor->scan(value, RedactionDirection::kResults, ""));
  }
  state.SetBytesProcessed(state.iterations() * text.size());
}

// Prose full of dates and version numbers: the digit-cluster pass at work.
void RedactCleanText(benchmark::State& state) {
  scan_repeated(state, "The quick brown fox jumps over the lazy dog; version 1.2.3 shipped on 2026-11-23. ");
}
BENCHMARK(RedactCleanText)->Unit(benchmark::kMicrosecond);

// Source code: identifiers, punctuation, few digits.
void RedactSourceCode(benchmark::State& state) {
  scan_repeated(state, "  for (const auto& [name, value] : options.items()) {\n    if (value.is_string()) "
                       "out[name] = value.get<std::string>();\n  }\n  return out.size() > limit_;\n");
}
BENCHMARK(RedactSourceCode)->Unit(benchmark::kMicrosecond);

// A 1 MiB tools/call result with a secret every 4 KiB, parsed, scanned and rebuilt (target:
// at most 2 ms added).
void Redact1MiBResult(benchmark::State& state) {
  Logger logger(LogLevel::kError);
  LexicalPathResolver resolver;
  auto engine = PolicyEngine::create(ProxyPlan{}, PolicyContext{&resolver, "/", true, nullptr}, logger);
  std::string text;
  while (text.size() < (1u << 20)) {
    text += std::string(4000, 'x') + " key AKIAIOSFODNN7EXAMPLE mail bob@example.org ";
  }
  std::string line = R"({"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":")" + text + R"("}]}})";
  MessageParser parser;
  PendingRequest call{{"n:7", "7"}, "tools/call", "", "read_file"};
  for (auto _ : state) {
    ParsedMessage parsed = parser.parse_copy(line);
    Verdict verdict = engine->review_response(call, std::get<MessageInfo>(parsed));
    if (verdict.action != Verdict::Action::kReplace) state.SkipWithError("not redacted");
    benchmark::DoNotOptimize(verdict);
    benchmark::DoNotOptimize(engine->take_audit_events());  // the relay writes these
  }
  state.SetBytesProcessed(state.iterations() * line.size());
}
BENCHMARK(Redact1MiBResult)->Unit(benchmark::kMillisecond);

// The same result without the policy engine: what the relay pays anyway (parse only).
void Parse1MiBResult(benchmark::State& state) {
  std::string line = R"({"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":")" +
                     std::string(1u << 20, 'x') + R"("}]}})";
  MessageParser parser;
  for (auto _ : state) benchmark::DoNotOptimize(parser.parse_copy(line));
  state.SetBytesProcessed(state.iterations() * line.size());
}
BENCHMARK(Parse1MiBResult)->Unit(benchmark::kMillisecond);

// What the first scan of a session pays once to trust its Vectorscan runtime.
void ScanSelfCheck(benchmark::State& state) {
  VectorscanRuntime runtime = *default_vectorscan_runtime();
  for (auto _ : state) benchmark::DoNotOptimize(self_check(runtime));
}
BENCHMARK(ScanSelfCheck)->Unit(benchmark::kMillisecond);

// Clean text on each instruction-set level, self-check bypassed, AVX-512 included where the CPU
// has it: what avoiding AVX-512 costs. And the fallback engine, for scale.
void register_engine_comparison() {
  static std::vector<std::pair<std::string, ScanEngine>> engines;
  for (InstructionSet level : runnable_instruction_sets()) {
    ScanEngine unchecked;
    unchecked.vectorscan = *vectorscan_runtime(level);
    engines.emplace_back(std::string("RedactCleanText/") + instruction_set_name(level), unchecked);
  }
  engines.emplace_back("RedactCleanText/re2", choose_scan_engine("re2"));
  for (const auto& [name, engine] : engines) {
    benchmark::RegisterBenchmark(name.c_str(), [&engine = engine](benchmark::State& state) {
      scan_repeated(state, "The quick brown fox jumps over the lazy dog; version 1.2.3 shipped on 2026-11-23. ",
                    engine);
    })->Unit(benchmark::kMicrosecond);
  }
}

// Keeps each benchmark's bytes per second (the median where repetitions run) for the summary.
class ThroughputReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      auto rate = run.counters.find("bytes_per_second");
      if (rate == run.counters.end() || (!run.aggregate_name.empty() && run.aggregate_name != "median")) continue;
      rates_[run.run_name.function_name] = rate->second.value;
    }
    ConsoleReporter::ReportRuns(runs);
  }
  double rate(const std::string& name) const {
    auto found = rates_.find(name);
    return found == rates_.end() ? 0 : found->second;
  }

 private:
  std::map<std::string, double> rates_;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  register_engine_comparison();
  ThroughputReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  double parse = reporter.rate("Parse1MiBResult"), clean = reporter.rate("RedactCleanText");
  if (parse > 0 && clean > 0) {
    std::printf("\nredaction on clean text (%s): %.2f GB/s, %.2fx the parse-only baseline (%.2f GB/s); "
                "target 1 GB/s: %s\n",
                process_scan_engine().describe().c_str(), clean / 1e9, clean / parse, parse / 1e9,
                clean >= 1e9 ? "met" : "NOT met");
  }
  return 0;
}
