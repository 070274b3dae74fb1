// L4 cgroup-bpf with the host network: only the profile's destinations are reachable. Each
// refusal is checked with Landlock on (which refuses ports first, EACCES) and off (cgroup-bpf
// alone, EPERM).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstdio>
#include <unistd.h>

#include <fstream>

#include "tests/escape/escape_harness.h"
#include "tests/escape/listener.h"
#include "tests/support/machine_features.h"

namespace mcpsandbox::testing {
namespace {

class Egress : public ::testing::Test {
 protected:
  void SetUp() override {
    MCPSANDBOX_NEEDS("cgroup-bpf", running_as_root() && cgroup2_mounted(),
                     "cgroup-bpf programs need root and a cgroup v2 hierarchy");
  }
  ProbeOutcome reach(std::vector<std::string> attack, std::vector<std::string> extra = {}) {
    std::vector<std::string> options = {"--network", "host", "--allow-net",
                                        "127.0.0.1:" + allowed_.port()};
    options.insert(options.end(), extra.begin(), extra.end());
    return run_probe(options, attack);
  }
  AnyAddressListener allowed_, other_;
};

TEST_F(Egress, ReachesAnAllowedDestination) {
  ProbeOutcome o = reach({"tcp-connect", allowed_.port()});
  EXPECT_TRUE(o.attack_succeeded()) << describe(o);
  EXPECT_NE(o.log.find("L4 cgroup-bpf egress allowlist"), std::string::npos) << o.log;
}

TEST_F(Egress, RefusesAnotherPortOnTheSameAddress) {
  ProbeOutcome landlock = reach({"tcp-connect", other_.port()});
  EXPECT_EQ(landlock.error(), "EACCES") << "Landlock refuses ports first: " << describe(landlock);
  ProbeOutcome bpf = reach({"tcp-connect", other_.port()}, {"--testing-disable-layer", "landlock"});
  EXPECT_EQ(bpf.error(), "EPERM") << "cgroup-bpf alone: " << describe(bpf);
}

TEST_F(Egress, RefusesTheAllowedPortOnAnotherAddress) {
  ProbeOutcome o = reach({"tcp-connect", allowed_.port(), "127.0.0.2"});
  EXPECT_FALSE(o.attack_succeeded()) << describe(o);
  EXPECT_EQ(o.error(), "EPERM") << "Landlock allows the port; the address is cgroup-bpf's call";
  ProbeOutcome v6 = reach({"tcp-connect", allowed_.port(), "::1"});
  EXPECT_EQ(v6.error(), "EPERM") << describe(v6);
}

TEST_F(Egress, EachRefusalIsAViolationRecordInTheAuditLog) {
  TempDir logs;
  std::string log = logs.file("audit.jsonl");
  ProbeOutcome o = reach({"tcp-connect", allowed_.port(), "127.0.0.2"}, {"--audit-log", log});
  EXPECT_EQ(o.error(), "EPERM") << describe(o);
  std::string audit = read_file(log);
  size_t record = audit.find(R"("event":"violation")");
  ASSERT_NE(record, std::string::npos) << audit << o.log;
  std::string line = audit.substr(record, audit.find('\n', record) - record);
  EXPECT_NE(line.find(R"("action":"connect")"), std::string::npos) << line;
  EXPECT_NE(line.find(R"("layer":"L4 cgroup-bpf")"), std::string::npos) << line;
  EXPECT_NE(line.find(R"("target":"127.0.0.2:)" + allowed_.port() + "\""), std::string::npos) << line;
  EXPECT_NE(audit.find(R"("violations":1)"), std::string::npos) << "counted in session.end: " << audit;
  EXPECT_NE(o.log.find("L4 cgroup-bpf denied connect 127.0.0.2:"), std::string::npos) << o.log;
  // The launch's own proof of the layer (a refused raw socket) is not the server's doing.
  EXPECT_EQ(audit.find("raw socket"), std::string::npos) << audit;
}

TEST_F(Egress, RefusesUdpToUnlistedDestinations) {
  ProbeOutcome o = reach({"udp-send", "53", "127.0.0.53"});
  EXPECT_FALSE(o.attack_succeeded()) << describe(o);
  EXPECT_EQ(o.error(), "EPERM") << describe(o);
}

TEST_F(Egress, RefusesRawAndMptcpSocketsWithoutSeccomp) {
  for (const char* attack : {"raw-socket", "mptcp"}) {
    ProbeOutcome o = reach({attack}, {"--testing-disable-layer", "seccomp"});
    EXPECT_FALSE(o.attack_succeeded()) << attack << ": " << describe(o);
    EXPECT_EQ(o.error(), "EPERM") << attack << ": cgroup/sock_create alone";
  }
}

// A pathname unix socket listening in `dir`.
class UnixListener {
 public:
  explicit UnixListener(const std::string& path) {
    fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    listen(fd_, 8);
  }
  ~UnixListener() { close(fd_); }

 private:
  int fd_ = -1;
};

// Red team: a daemon's socket inside a --ro grant was reachable. A grant is for files: only the
// sockets the profile lists (filesystem.unix_sockets) are, besides the sandbox's own.
TEST_F(Egress, ReachesOnlyTheUnixSocketsTheProfileLists) {
  TempDir granted, profiles;
  UnixListener daemon(granted.file("daemon.sock")), listed(granted.file("listed.sock"));
  std::ofstream(profiles.file("p.json")) << R"({"network": {"mode": "host"}, "filesystem": {"unix_sockets": [")" +
                                                granted.file("listed.sock") + R"("]}})";
  // cgroup-bpf alone beside the view: the mount view shows the grant, Landlock would not refuse.
  std::vector<std::string> l4 = {"--testing-disable-layer", "landlock", "--ro", granted.path(),
                                 "--profile", profiles.file("p.json")};
  ProbeOutcome refused = reach({"unix-connect", granted.file("daemon.sock")}, l4);
  EXPECT_EQ(refused.error(), "EPERM") << describe(refused);
  EXPECT_NE(refused.log.find("L4 cgroup-bpf denied unix connect " + granted.file("daemon.sock")), std::string::npos)
      << refused.log;
  ProbeOutcome ok = reach({"unix-connect", granted.file("listed.sock")}, l4);
  EXPECT_TRUE(ok.attack_succeeded()) << describe(ok);
  l4.insert(l4.end(), {"--testing-disable-layer", "cgroup-bpf"});
  ProbeOutcome control = reach({"unix-connect", granted.file("daemon.sock")}, l4);
  EXPECT_TRUE(control.attack_succeeded()) << "without L4 the socket is reachable: " << describe(control);
  EXPECT_NE(control.log.find("unix sockets inside grants reachable"), std::string::npos)
      << "and the start line says so: " << control.log;
}

TEST_F(Egress, HostNetworkWithoutCgroupBpfRefusesToStart) {
  // An unprivileged user cannot attach cgroup-bpf programs: the host network would be
  // unfiltered, so the launch is refused.
  ProbeOutcome o = run_probe({"--network", "host"}, {"hostname"}, kAsNobody);
  EXPECT_EQ(o.exit_status, 125) << describe(o);
  EXPECT_NE(o.log.find("requires the cgroup-bpf layer"), std::string::npos) << o.log;
}

}  // namespace
}  // namespace mcpsandbox::testing
