// Inbound on the host network (root, network.mode "host"): nothing on the host may reach the
// sandbox unless the profile lists the port. listen() without bind() picks a port itself (no
// bind hook sees it); an unconnected UDP socket receives from anyone. L4 cgroup-bpf refuses
// the bind and drops the connection request or the unasked datagram; with that layer off the
// same attack gets through, which shows the test can see it.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>

#include "tests/escape/escape_harness.h"

namespace mcpsandbox::testing {
namespace {

// From the host: connects to (TCP) or sends a datagram to (UDP) 127.0.0.1:port.
void knock(bool tcp, int port) {
  int sock = socket(AF_INET, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (tcp) {
    (void)connect(sock, reinterpret_cast<sockaddr*>(&address), sizeof address);
    pollfd done{sock, POLLOUT, 0};
    (void)poll(&done, 1, 1000);  // a dropped SYN: no answer within the second
  } else {
    (void)sendto(sock, "x", 1, 0, reinterpret_cast<sockaddr*>(&address), sizeof address);
  }
  close(sock);
}

struct InboundOutcome {
  int port = -1;
  std::optional<nlohmann::json> result;
  std::string log;
};

InboundOutcome attempt(const std::string& protocol, int port, std::vector<std::string> options) {
  std::vector<std::string> argv = {mcpsandbox_binary(), "--log-level", "info", "run", "--grace", "200ms",
                                   "--network", "host"};
  argv.insert(argv.end(), options.begin(), options.end());
  argv.insert(argv.end(), {"--", probe_binary(), "inbound", protocol, std::to_string(port)});
  ChildProcess sandbox(argv);
  InboundOutcome outcome;
  while (auto line = sandbox.read_line(20s)) {
    if (auto listening = probe_report(*line, "probe/listening")) {
      outcome.port = (*listening)["port"];
      knock(protocol == "tcp", outcome.port);
    } else if (auto result = probe_report(*line, "probe/result")) {
      outcome.result = result;
      break;
    }
  }
  sandbox.close_stdin();
  (void)sandbox.wait(20s);
  outcome.log = sandbox.stderr_text();
  return outcome;
}

std::string describe(const InboundOutcome& o) {
  return "port " + std::to_string(o.port) + ", result " + (o.result ? o.result->dump() : "none") + "\nlog:\n" + o.log;
}

class Inbound : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "--network host needs root (cgroup-bpf)";
  }
};

TEST_F(Inbound, AListenerWithoutBindIsNotReachableFromTheHost) {
  InboundOutcome o = attempt("tcp", 0, {});
  ASSERT_TRUE(o.result) << describe(o);
  EXPECT_GT(o.port, 0) << describe(o);
  EXPECT_FALSE((*o.result)["ok"].get<bool>()) << describe(o);
  EXPECT_EQ((*o.result)["errno"], "ETIMEDOUT") << describe(o);
  EXPECT_NE(o.log.find("L4 cgroup-bpf denied inbound to port " + std::to_string(o.port)), std::string::npos)
      << "the drop is reported: " << describe(o);
}

TEST_F(Inbound, AnUnconnectedUdpSocketReceivesNothingFromTheHost) {
  InboundOutcome o = attempt("udp", 0, {});
  ASSERT_TRUE(o.result) << describe(o);
  EXPECT_FALSE((*o.result)["ok"].get<bool>()) << describe(o);
  EXPECT_EQ((*o.result)["errno"], "ETIMEDOUT") << describe(o);
  EXPECT_NE(o.log.find("L4 cgroup-bpf denied inbound from 127.0.0.1:"), std::string::npos) << describe(o);
}

TEST_F(Inbound, UdpBindToAPortIsRefused) {
  InboundOutcome o = attempt("udp", 40123, {});
  ASSERT_TRUE(o.result) << describe(o);
  EXPECT_EQ((*o.result)["errno"], "EPERM") << describe(o);
  EXPECT_EQ((*o.result)["detail"], "bind") << describe(o);
  EXPECT_NE(o.log.find("L4 cgroup-bpf denied bind 0.0.0.0:40123"), std::string::npos) << describe(o);
}

// Controls: the port a profile lists is reachable; with L4 off the autobound listener is too
// (so the refusals above are L4's, and the test would see a listener that gets through).
TEST_F(Inbound, AListedPortIsReachableAndWithoutL4SoIsAnyListener) {
  TempDir dir;
  std::ofstream(dir.file("profile.json")) << R"({"network": {"mode": "host", "tcp_bind": [40124]}})";
  InboundOutcome listed = attempt("tcp", 40124, {"--profile", dir.file("profile.json")});
  ASSERT_TRUE(listed.result) << describe(listed);
  EXPECT_TRUE((*listed.result)["ok"].get<bool>()) << describe(listed);
  InboundOutcome without = attempt("tcp", 0, {"--testing-disable-layer", "cgroup-bpf"});
  ASSERT_TRUE(without.result) << describe(without);
  EXPECT_TRUE((*without.result)["ok"].get<bool>()) << describe(without);
}

}  // namespace
}  // namespace mcpsandbox::testing
