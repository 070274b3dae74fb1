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
#include "tests/escape/host_targets.h"

namespace mcpsandbox::testing {
namespace {

class LayerIsolation : public ::testing::Test {
 protected:
  void SetUp() override { SKIP_WITHOUT_NAMESPACES(); }

  ProbeOutcome without(const std::string& layer, std::vector<std::string> attack) {
    return run_probe({"--rw", work_.path(), "--testing-disable-layer", layer}, attack);
  }

  TempDir work_;
  HostTargets host_;
  const std::string port_ = std::to_string(host_.tcp_port());
};

TEST_F(LayerIsolation, LandlockAloneHoldsTheFilesystemAndNetworkWithoutNamespaces) {
  SKIP_BELOW_LANDLOCK_ABI(6);  // TCP rules (4) and signal scoping (6) are asserted
  ProbeOutcome layers = without("namespaces", {"hostname"});
  ASSERT_NE(layers.log.find("L1 namespaces OFF"), std::string::npos) << layers.log;
  for (std::string path : {std::string("/etc/shadow"), host_.secret()}) {
    ProbeOutcome read = without("namespaces", {"read", path});
    EXPECT_FALSE(read.attack_succeeded()) << describe(read);
    EXPECT_EQ(read.error(), "EACCES") << path << ": Landlock, not the mount view";
  }
  ProbeOutcome write = without("namespaces", {"write", "/usr/owned-by-probe"});
  EXPECT_FALSE(write.attack_succeeded()) << describe(write);
  EXPECT_EQ(write.error(), "EACCES");
  ProbeOutcome escape = without("namespaces", {"symlink-escape", work_.file("l"), host_.secret()});
  EXPECT_EQ(escape.error(), "EACCES") << describe(escape);
  ProbeOutcome tcp = without("namespaces", {"tcp-connect", port_});
  EXPECT_FALSE(tcp.attack_succeeded()) << describe(tcp);
  EXPECT_EQ(tcp.error(), "EACCES") << "Landlock ABI >= 4 denies TCP connect";
  ProbeOutcome kill = without("namespaces", {"kill", std::to_string(getpid())});
  EXPECT_FALSE(kill.attack_succeeded()) << describe(kill);
  EXPECT_EQ(kill.error(), "EPERM") << "Landlock ABI >= 6 scopes signals";
  ProbeOutcome environ_read = without("namespaces", {"read", "/proc/" + std::to_string(getpid()) + "/environ"});
  EXPECT_FALSE(environ_read.attack_succeeded()) << describe(environ_read);
  EXPECT_EQ(environ_read.error(), "EACCES") << "Landlock refuses ptrace access to the launcher: " << describe(environ_read);
  ProbeOutcome rw = without("namespaces", {"write", work_.file("ok")});
  EXPECT_TRUE(rw.attack_succeeded()) << "granted paths still work: " << describe(rw);
}

TEST_F(LayerIsolation, NamespacesAloneHoldTheFilesystemAndNetworkWithoutLandlock) {
  ProbeOutcome layers = without("landlock", {"hostname"});
  ASSERT_NE(layers.log.find("L2 landlock OFF"), std::string::npos) << layers.log;
  ProbeOutcome read = without("landlock", {"read", host_.secret()});
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
  ProbeOutcome read = without("seccomp", {"read", host_.secret()});
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
