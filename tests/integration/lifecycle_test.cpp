// Shutdown, signals, process-tree cleanup and backpressure of `mcpsandbox run`.
#include <cstdio>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/integration/relay_harness.h"

namespace mcpsandbox::testing {
namespace {

pid_t wait_for_pid_file(const std::string& path) {
  for (int i = 0; i < 500; ++i) {
    std::ifstream file(path);
    pid_t pid = 0;
    if (file >> pid && pid > 0) return pid;
    usleep(10000);
  }
  return 0;
}

TEST(Lifecycle, ClientEofEndsTheServerAndItsWholeProcessTree) {
  TempDir dir;
  McpClient proxy(fixture_command(dir, {}, {"--fork-grandchild", dir.file("grandchild")}));
  ASSERT_GT(wait_for_pid_file(dir.file("grandchild")), 0);
  // The server, the daemonized grandchild and the sandbox's init all carry the marker.
  EXPECT_GE(processes_mentioning(dir.path(), proxy.pid()).size(), 2u);
  proxy.send_line(tool_call(1, "echo"));
  EXPECT_EQ(next_message(proxy)["id"], 1);
  proxy.close_stdin();
  EXPECT_EQ(proxy.wait(), 0);
  EXPECT_TRUE(none_left_within(dir.path(), proxy.pid(), 2s))
      << "a setsid'd grandchild outlived mcpsandbox";
}

TEST(Lifecycle, KillingMcpsandboxTakesTheWholeSandboxWithIt) {
  TempDir dir;
  McpClient proxy(fixture_command(dir, {}, {"--fork-grandchild", dir.file("grandchild")}));
  ASSERT_GT(wait_for_pid_file(dir.file("grandchild")), 0);
  ASSERT_GE(processes_mentioning(dir.path(), proxy.pid()).size(), 2u);
  proxy.signal(SIGKILL);  // no chance to clean up: the kernel must do it
  EXPECT_EQ(proxy.wait(), 128 + SIGKILL);
  EXPECT_TRUE(none_left_within(dir.path(), proxy.pid(), 2s))
      << "the server outlived a SIGKILLed mcpsandbox";
}

TEST(Lifecycle, EscalatesToSigtermThenSigkillForAServerThatWillNotStop) {
  TempDir dir;
  McpClient proxy(fixture_command(dir, {"--grace", "100ms", "--log-level", "info"},
                                     {"--ignore-stdin-eof", "--ignore-sigterm"}));
  proxy.send_line(tool_call("pending", "hang"));
  usleep(50000);
  proxy.close_stdin();
  auto status = proxy.wait(5s);
  ASSERT_TRUE(status.has_value()) << "mcpsandbox did not finish the shutdown";
  EXPECT_EQ(*status, 128 + SIGKILL);
  std::string log = proxy.stderr_text();
  EXPECT_NE(log.find("Terminated"), std::string::npos) << log;
  EXPECT_NE(log.find("Killed"), std::string::npos) << log;
}

TEST(Lifecycle, StopsAServerThatIgnoresEofWithSigterm) {
  TempDir dir;
  McpClient proxy(fixture_command(dir, {"--grace", "100ms"}, {"--ignore-stdin-eof"}));
  proxy.close_stdin();
  EXPECT_EQ(proxy.wait(5s), 128 + SIGTERM);
}

TEST(Lifecycle, SigintRunsTheSameShutdownAndAnswersPendingRequests) {
  TempDir dir;
  McpClient proxy(fixture_command(dir, {"--grace", "100ms"},
                                     {"--fork-grandchild", dir.file("grandchild")}));
  ASSERT_GT(wait_for_pid_file(dir.file("grandchild")), 0);
  proxy.send_line(tool_call("pending", "hang"));
  // The signal comes once the call is with the server (however slow the build).
  for (int waited = 0; waited < 500 && !server_received(dir, R"("id":"pending")"); ++waited) usleep(10000);
  ASSERT_TRUE(server_received(dir, R"("id":"pending")")) << proxy.stderr_text();
  proxy.signal(SIGINT);
  json reply = next_message(proxy);
  EXPECT_EQ(reply["id"], "pending");
  EXPECT_EQ(error_code_of(reply), -31001);
  // The fixture exits on stdin EOF, which is the first step of the shutdown.
  EXPECT_EQ(proxy.wait(5s), 0);
  EXPECT_TRUE(none_left_within(dir.path(), proxy.pid(), 2s));
}

TEST(Lifecycle, ASecondSignalKillsAtOnce) {
  TempDir dir;
  McpClient proxy(fixture_command(dir, {"--grace", "60s"},
                                     {"--ignore-stdin-eof", "--ignore-sigterm"}));
  proxy.send_line(tool_call(1, "echo"));
  EXPECT_EQ(next_message(proxy)["id"], 1);
  proxy.signal(SIGTERM);
  usleep(50000);
  proxy.signal(SIGTERM);
  EXPECT_EQ(proxy.wait(5s), 128 + SIGKILL);
}

TEST(Lifecycle, PausesTheServerWhenTheClientStopsReading) {
  TempDir dir;
  McpClient proxy(fixture_command(dir));
  // Growth, not an absolute figure: a sanitizer build starts far higher.
  proxy.send_line(tool_call("warm-up", "echo", {{"text", "x"}}));
  EXPECT_EQ(next_message(proxy)["id"], "warm-up");
  long baseline = proxy.anon_rss_kib();
  // 64 results of 1 MiB while the client reads nothing: mcpsandbox must stop reading the server
  // rather than buffer 64 MiB.
  constexpr int kCalls = 64;
  std::thread writer([&] {
    for (int i = 0; i < kCalls; ++i) proxy.send_line(tool_call(i, "big", {{"bytes", 1 << 20}}));
  });
  usleep(1500000);
  long growth = proxy.anon_rss_kib() - baseline;
  std::printf("anonymous RSS growth with 64 MiB of unread results pending: %ld KiB\n", growth);
  EXPECT_LT(growth, 16 * 1024) << "mcpsandbox buffered what the client did not read";
  for (int i = 0; i < kCalls; ++i) {
    json reply = next_message(proxy, 20s);
    EXPECT_EQ(reply["id"], i);
    EXPECT_EQ(reply["result"]["content"][0]["text"].get<std::string>().size(), 1u << 20);
  }
  writer.join();
  proxy.close_stdin();
  EXPECT_EQ(proxy.wait(), 0);
}

TEST(Lifecycle, PausesTheClientWhenTheServerStopsReading) {
  // `sleep` never reads its stdin: whatever the client sends must stay bounded in mcpsandbox.
  McpClient proxy({mcpsandbox_binary(), "run", "--grace", "100ms", "--", "/bin/sleep", "30"});
  usleep(300000);  // started
  long baseline = proxy.anon_rss_kib();
  std::string flood;
  for (int i = 0; i < 40000; ++i) {
    flood += tool_call(i, "echo", {{"text", std::string(1000, 'p')}}) + "\n";
  }
  size_t accepted = 0;
  for (int round = 0; round < 100 && accepted < flood.size(); ++round) {
    accepted += proxy.write_some(flood.substr(accepted, 1 << 20));
    usleep(5000);
  }
  long growth = proxy.anon_rss_kib() - baseline;
  EXPECT_LT(accepted, 16u << 20) << "mcpsandbox kept reading although the server did not";
  std::printf("anonymous RSS growth with a flood the server never reads: %ld KiB\n", growth);
#if defined(MCPSANDBOX_ADDRESS_SANITIZER)
  constexpr long kBoundKib = 32 * 1024;  // AddressSanitizer's quarantine and shadow pages count too
#else
  constexpr long kBoundKib = 16 * 1024;
#endif
  EXPECT_LT(growth, kBoundKib);
  proxy.close_stdin();
  // The server never answered: mcpsandbox still shuts it down and answers every request it
  // took. The last one may have been cut in half by the pipe filling up: that is a parse error.
  auto lines = proxy.read_all_lines(10s);
  ASSERT_GT(lines.size(), 0u);
  size_t exited = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    int code = error_code_of(json::parse(lines[i]));
    if (code == -31001) ++exited;
    else EXPECT_TRUE(i + 1 == lines.size() && code == -32700) << lines[i];
  }
  EXPECT_GE(exited, lines.size() - 1);
  EXPECT_EQ(proxy.wait(5s), 128 + SIGTERM);
}


}  // namespace
}  // namespace mcpsandbox::testing
