// Each layer on its own: the same attacks with one layer switched off
// (--testing-disable-layer) must still fail, stopped by the layers that remain, and each test
// asserts which one stopped it by the errno it produces.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <fstream>

#include "tests/escape/escape_harness.h"

namespace mcpsandbox::testing {
namespace {

class LayerIsolation : public ::testing::Test {
 protected:
  void SetUp() override {
    SKIP_WITHOUT_NAMESPACES();
    std::ofstream(secret_dir_.file("secret")) << "host secret\n";
    listener_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    listen(listener_, 8);
    socklen_t length = sizeof addr;
    getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &length);
    port_ = std::to_string(ntohs(addr.sin_port));
  }
  void TearDown() override { close(listener_); }

  ProbeOutcome without(const std::string& layer, std::vector<std::string> attack) {
    return run_probe({"--rw", work_.path(), "--testing-disable-layer", layer}, attack);
  }

  TempDir work_, secret_dir_;
  int listener_ = -1;
  std::string port_;
};

TEST_F(LayerIsolation, LandlockAloneHoldsTheFilesystemAndNetworkWithoutNamespaces) {
  SKIP_BELOW_LANDLOCK_ABI(6);  // TCP rules (4) and signal scoping (6) are asserted
  ProbeOutcome layers = without("namespaces", {"hostname"});
  ASSERT_NE(layers.log.find("L1 namespaces OFF"), std::string::npos) << layers.log;
  for (std::string path : {std::string("/etc/shadow"), secret_dir_.file("secret")}) {
    ProbeOutcome read = without("namespaces", {"read", path});
    EXPECT_FALSE(read.attack_succeeded()) << describe(read);
    EXPECT_EQ(read.error(), "EACCES") << path << ": Landlock, not the mount view";
  }
  ProbeOutcome write = without("namespaces", {"write", "/usr/owned-by-probe"});
  EXPECT_FALSE(write.attack_succeeded()) << describe(write);
  EXPECT_EQ(write.error(), "EACCES");
  ProbeOutcome escape = without("namespaces", {"symlink-escape", work_.file("l"), secret_dir_.file("secret")});
  EXPECT_EQ(escape.error(), "EACCES") << describe(escape);
  ProbeOutcome tcp = without("namespaces", {"tcp-connect", port_});
  EXPECT_FALSE(tcp.attack_succeeded()) << describe(tcp);
  EXPECT_EQ(tcp.error(), "EACCES") << "Landlock ABI >= 4 denies TCP connect";
  ProbeOutcome kill = without("namespaces", {"kill", std::to_string(getpid())});
  EXPECT_FALSE(kill.attack_succeeded()) << describe(kill);
  EXPECT_EQ(kill.error(), "EPERM") << "Landlock ABI >= 6 scopes signals";
  ProbeOutcome environ_read = without("namespaces", {"read", "/proc/" + std::to_string(getpid()) + "/environ"});
  EXPECT_FALSE(environ_read.attack_succeeded()) << describe(environ_read);
  ProbeOutcome rw = without("namespaces", {"write", work_.file("ok")});
  EXPECT_TRUE(rw.attack_succeeded()) << "granted paths still work: " << describe(rw);
}

TEST_F(LayerIsolation, NamespacesAloneHoldTheFilesystemAndNetworkWithoutLandlock) {
  ProbeOutcome layers = without("landlock", {"hostname"});
  ASSERT_NE(layers.log.find("L2 landlock OFF"), std::string::npos) << layers.log;
  ProbeOutcome read = without("landlock", {"read", secret_dir_.file("secret")});
  EXPECT_EQ(read.error(), "ENOENT") << describe(read);
  ProbeOutcome write = without("landlock", {"write", "/usr/owned-by-probe"});
  EXPECT_EQ(write.error(), "EROFS") << describe(write);
  ProbeOutcome tcp = without("landlock", {"tcp-connect", port_});
  EXPECT_FALSE(tcp.attack_succeeded()) << describe(tcp);
  EXPECT_EQ(tcp.error(), "ECONNREFUSED") << "an empty network namespace";
}

TEST_F(LayerIsolation, SeccompAloneKillsKernelAttackSurfaceWithoutLandlockOrNamespaces) {
  for (std::string off : {"landlock", "namespaces"}) {
    for (const char* call : {"bpf", "io_uring", "userfaultfd", "unshare-user", "ptrace"}) {
      ProbeOutcome o = without(off, {call, "1"});
      EXPECT_TRUE(o.killed_by_seccomp()) << call << " with " << off << " off: " << describe(o);
    }
  }
}

TEST_F(LayerIsolation, WithoutSeccompTheOtherLayersStillHold) {
  ProbeOutcome read = without("seccomp", {"read", secret_dir_.file("secret")});
  EXPECT_EQ(read.error(), "ENOENT") << describe(read);
  ProbeOutcome tcp = without("seccomp", {"tcp-connect", port_});
  EXPECT_FALSE(tcp.attack_succeeded()) << describe(tcp);
  // No capabilities: the mount API and bpf fail on privilege instead of being killed.
  for (const char* call : {"mount", "bpf"}) {
    ProbeOutcome o = without("seccomp", {call});
    EXPECT_FALSE(o.attack_succeeded()) << call << ": " << describe(o);
    EXPECT_FALSE(o.killed_by_seccomp()) << call << ": seccomp was meant to be off";
  }
}

}  // namespace
}  // namespace mcpsandbox::testing
