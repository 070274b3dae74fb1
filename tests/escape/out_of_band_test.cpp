// `hardening.out_of_band: "deny"`: the server (and everything it started) is frozen while no
// request is in flight, so it cannot act on its own between calls (issue #9). The malicious
// server's `write_later` answers at once and writes a file 300 ms later; with the gate that
// write never happens while the session is idle (seen from the host, with nothing in flight),
// and the server still starts, answers and exits.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tests/integration/relay_harness.h"

namespace mcpsandbox::testing {
namespace {

class OutOfBand : public ::testing::Test {
 protected:
  void start(const std::string& out_of_band) {
    if (::geteuid() != 0) GTEST_SKIP() << "freezing the sandbox needs its own cgroup v2 (root)";
    std::filesystem::create_directories(dir_.file("project"));
    std::ofstream(dir_.file("project/a.txt")) << "data\n";
    std::ofstream(dir_.file("profile.json")) << R"({ "filesystem": { "rw": [")" + dir_.file("project") +
                                                     R"("] }, "hardening": { "out_of_band": ")" + out_of_band + R"(" } })";
    proxy_.emplace(std::vector<std::string>{mcpsandbox_binary(), "run", "--profile", dir_.file("profile.json"),
                                            "--", GRANT_SERVER_BINARY});
    proxy_->send_line(request(0, "initialize", {{"protocolVersion", "2025-06-18"}, {"capabilities", json::object()}}));
    ASSERT_TRUE(next_message(*proxy_, 20s).contains("result")) << proxy_->stderr_text();
  }
  json call(int id, const std::string& tool, json args) {
    proxy_->send_line(tool_call(id, tool, std::move(args)));
    return reported_result(*proxy_, id);
  }
  // Schedules a write 300 ms ahead and stays idle for a second: did it happen?
  bool written_while_idle() {
    EXPECT_EQ(call(1, "write_later", {{"path", dir_.file("project/late.txt")}})["scheduled"], true);
    std::this_thread::sleep_for(1s);
    return std::filesystem::exists(dir_.file("project/late.txt"));
  }

  TempDir dir_;
  std::optional<ChildProcess> proxy_;
};

TEST_F(OutOfBand, DeniedTheServerCannotActWhileNoRequestIsInFlight) {
  start("deny");
  EXPECT_FALSE(written_while_idle()) << "the server acted between calls";
  json answered = call(3, "report", json::object());
  EXPECT_TRUE(answered.contains("later")) << "requests still run: " << answered.dump();
  proxy_->close_stdin();
  EXPECT_EQ(proxy_->wait(20s), 0) << "the server is thawed to shut down: " << proxy_->stderr_text();
}

TEST_F(OutOfBand, ControlAllowedTheServerActsBetweenCalls) {
  start("allow");
  EXPECT_TRUE(written_while_idle());
  proxy_->close_stdin();
  EXPECT_EQ(proxy_->wait(20s), 0);
}

}  // namespace
}  // namespace mcpsandbox::testing
