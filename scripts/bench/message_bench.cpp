// CPU cost of what mcpsandbox does per message (framing + validation + classification),
// without pipes or scheduling noise: Google Benchmark, small requests and large results.
#include <benchmark/benchmark.h>

#include <string>

#include "proxy/line_framer.h"
#include "proxy/message.h"

namespace {

std::string tool_result(size_t text_bytes) {
  return R"({"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":")" +
         std::string(text_bytes, 'x') + R"("}],"isError":false}})";
}

void ValidateSmallRequest(benchmark::State& state) {
  mcpsandbox::MessageParser parser;
  simdjson::padded_string line(std::string(
      R"({"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"name":"read_file","arguments":{"path":"/home/user/src/main.cpp"},"_meta":{"progressToken":"p-42"}}})"));
  for (auto _ : state) benchmark::DoNotOptimize(parser.parse(std::string_view(line)));
  state.SetBytesProcessed(state.iterations() * line.size());
}
BENCHMARK(ValidateSmallRequest);

void ValidateLargeResult(benchmark::State& state) {
  mcpsandbox::MessageParser parser;
  simdjson::padded_string line(tool_result(state.range(0)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(parser.parse(std::string_view(line)));
    parser.trim();
  }
  state.SetBytesProcessed(state.iterations() * line.size());
}
BENCHMARK(ValidateLargeResult)->Arg(1 << 20)->Arg(16 << 20)->Unit(benchmark::kMillisecond);

void FrameAndValidateLargeResult(benchmark::State& state) {
  std::string line = tool_result(state.range(0)) + "\n";
  mcpsandbox::MessageParser parser;
  for (auto _ : state) {
    mcpsandbox::LineFramer framer(64u << 20);
    for (size_t off = 0; off < line.size(); off += 1 << 20) {
      framer.append(std::string_view(line).substr(off, 1 << 20));
    }
    auto framed = framer.next();
    benchmark::DoNotOptimize(parser.parse(framed->bytes));
  }
  state.SetBytesProcessed(state.iterations() * line.size());
}
BENCHMARK(FrameAndValidateLargeResult)->Arg(16 << 20)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
