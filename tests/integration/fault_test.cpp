// Faults on either side of the proxy, each with its defined outcome (README "Reliability"): the
// client gets an error instead of silence, no process is left behind, and the audit log stays
// verifiable.
#include <sys/mount.h>
#include <unistd.h>

#include <fstream>

#include "tests/integration/relay_harness.h"

namespace mcpsandbox::testing {
namespace {

std::string audit_verdict(const std::string& log) {
  ChildProcess verify({mcpsandbox_binary(), "audit", "verify", log});
  std::string verdict = verify.read_line().value_or("");
  EXPECT_EQ(verify.wait(), 0) << verdict;
  return verdict;
}

class FaultTest : public ::testing::Test {
 protected:
  std::vector<std::string> proxy_with_audit(std::vector<std::string> extra = {}) {
    extra.insert(extra.begin(), {"--audit-log", logs_.file("audit.jsonl")});
    return fixture_command(dir_, extra);
  }
  // `tool` makes the server unable to answer, with a call held before it: both calls get
  // -31001, the session ends, nothing is left running, and the audit log verifies.
  void expect_server_loss_ends_the_session(const std::string& tool) {
    McpClient proxy(proxy_with_audit({"--grace", "200ms"}));
    proxy.send_line(tool_call(1, "hold"));
    proxy.send_line(tool_call(2, tool));
    for (int i = 0; i < 2; ++i) EXPECT_EQ(error_code_of(next_message(proxy)), -31001) << tool;
    EXPECT_TRUE(proxy.wait(10s).has_value()) << "mcpsandbox did not end the session";
    EXPECT_TRUE(none_left_within(dir_.path(), proxy.pid(), 2s)) << tool;
    audit_verdict(logs_.file("audit.jsonl"));
  }
  TempDir dir_, logs_;
};

TEST_F(FaultTest, ServerCrashesMidResponse) {
  McpClient proxy(proxy_with_audit());
  proxy.send_line(tool_call(1, "hold"));
  proxy.send_line(tool_call(2, "crash_mid"));
  std::map<int, int> codes;
  for (int i = 0; i < 2; ++i) {
    json reply = next_message(proxy);
    codes[reply["id"].get<int>()] = error_code_of(reply);
  }
  EXPECT_EQ(codes[1], -31001) << "the held call learns the server is gone";
  EXPECT_EQ(codes[2], -31002) << "half an answer is an unusable answer, to the request it named";
  EXPECT_EQ(proxy.wait(), 128 + SIGABRT) << "the server's fate is mcpsandbox's exit status";
  EXPECT_TRUE(none_left_within(dir_.path(), proxy.pid(), 2s));
  audit_verdict(logs_.file("audit.jsonl"));
}

TEST_F(FaultTest, ServerHangsAndTheCallTimesOut) {
  std::ofstream(logs_.file("profile.json")) << R"({"tools": {"hang": {"timeout": "200ms"}}})";
  McpClient proxy(proxy_with_audit({"--profile", logs_.file("profile.json")}));
  proxy.send_line(tool_call(1, "hang"));
  EXPECT_EQ(error_code_of(next_message(proxy)), -31016);
  proxy.send_line(tool_call(2, "echo", {{"text", "still here"}}));
  EXPECT_EQ(next_message(proxy)["result"]["content"][0]["text"], "still here");
  proxy.close_stdin();
  EXPECT_EQ(proxy.wait(), 0);
  audit_verdict(logs_.file("audit.jsonl"));
}

TEST_F(FaultTest, ServerFloodsStdoutWithJunk) {
  McpClient proxy(proxy_with_audit());
  proxy.send_line(tool_call(0, "echo", {{"text", "warm-up"}}));
  EXPECT_EQ(next_message(proxy)["id"], 0);
  long baseline = proxy.anon_rss_kib();
  proxy.send_line(tool_call(1, "flood", {{"mib", 64}}));
  json reply = next_message(proxy, 60s);
  EXPECT_EQ(reply["result"]["content"][0]["text"], "flooded") << "the answer after 64 MiB of junk arrives";
  long growth = proxy.anon_rss_kib() - baseline;
  std::printf("anonymous RSS growth over a 64 MiB junk flood: %ld KiB\n", growth);
  EXPECT_LT(growth, 16 * 1024) << "junk is dropped line by line, not buffered";
  proxy.close_stdin();
  EXPECT_EQ(proxy.wait(), 0);
  EXPECT_NE(proxy.stderr_text().find("dropped"), std::string::npos);
  audit_verdict(logs_.file("audit.jsonl"));
}

TEST_F(FaultTest, ServerClosesStdoutButKeepsRunning) {
  // A server that can no longer answer is stopped (SIGTERM after the grace period, then KILL).
  expect_server_loss_ends_the_session("close_stdout");
}

TEST_F(FaultTest, ServerForksAwayAndExits) {
  // Its child holds stdout open, so no EOF comes; the server's exit ends the session, and the
  // child that ran away goes with the sandbox.
  expect_server_loss_ends_the_session("fork_away");
}

TEST_F(FaultTest, ClientDisconnectsMidRequest) {
  McpClient proxy(proxy_with_audit({"--grace", "200ms"}));
  proxy.send_line(tool_call(1, "echo", {{"text", "first"}}));
  EXPECT_EQ(next_message(proxy)["id"], 1);
  proxy.send_line(tool_call(2, "hang"));
  proxy.send_line(tool_call(3, "big", {{"bytes", 4 << 20}}));
  proxy.close_stdout();  // the client is gone: answers have nowhere to go
  proxy.close_stdin();
  EXPECT_TRUE(proxy.wait(10s).has_value());
  EXPECT_TRUE(none_left_within(dir_.path(), proxy.pid(), 2s));
  std::string verdict = audit_verdict(logs_.file("audit.jsonl"));
  EXPECT_EQ(verdict.find("not a session.end"), std::string::npos) << "the session was closed properly: " << verdict;
}

// The audit log's disk fills up (a 64 KiB tmpfs): requests whose record cannot be written are
// refused (-31020), every request still gets exactly one answer, and the log is a verifiable
// prefix. Needs root for the mount; says so and skips otherwise.
TEST_F(FaultTest, AuditDiskFills) {
  if (::geteuid() != 0) GTEST_SKIP() << "mounting a small tmpfs needs root";
  TempDir small;
  if (::mount("tmpfs", small.path().c_str(), "tmpfs", 0, "size=64k") != 0) {
    GTEST_SKIP() << "cannot mount a tmpfs here: " << std::strerror(errno);
  }
  std::string log = small.file("audit.jsonl");
  {
    McpClient proxy(fixture_command(dir_, {"--audit-log", log}));
    int answered = 0, refused = 0;
    for (int id = 1; id <= 400; ++id) {
      proxy.send_line(tool_call(id, "echo", {{"text", std::string(200, 'a')}}));
      json reply = next_message(proxy);
      EXPECT_EQ(reply["id"], id);
      if (error_code_of(reply) == -31020) ++refused;
      else if (reply.contains("result")) ++answered;
    }
    EXPECT_EQ(answered + refused, 400) << "one answer each";
    EXPECT_GT(answered, 0);
    EXPECT_GT(refused, 0) << "the disk filled up";
    std::printf("audit disk full: %d calls answered, %d refused for want of an audit record\n",
                answered, refused);
    proxy.close_stdin();
    proxy.wait();
  }
  audit_verdict(log);
  ::umount2(small.path().c_str(), MNT_DETACH);
}

}  // namespace
}  // namespace mcpsandbox::testing
