// The sandbox as other users get it: as an unprivileged user (user namespaces), where user
// namespaces are blocked (the fallback to hygiene + Landlock + seccomp, as on Ubuntu 24.04),
// and checks that `mcpsandbox doctor` predicts what a run actually enforces.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "tests/escape/escape_harness.h"
#include "tests/escape/listener.h"
#include "tests/support/machine_features.h"

namespace mcpsandbox::testing {
namespace {

// A user namespace of our own in which no further user namespace may be created.

std::string doctor_line(const std::vector<std::string>& prefix, const std::string& layer) {
  std::vector<std::string> argv = prefix;
  argv.insert(argv.end(), {mcpsandbox_binary(), "doctor"});
  ChildProcess doctor(argv);
  for (const auto& line : doctor.read_all_lines(20s)) {
    if (line.find(layer) != std::string::npos) return line;
  }
  return {};
}

bool doctor_says_yes(const std::string& line) { return line.find(" yes ") != std::string::npos; }

class Environments : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "switching users and namespaces for these tests needs root";
    chmod(shared_.path().c_str(), 0777);  // nobody writes here
  }
  TempDir shared_;
};

TEST_F(Environments, UnprivilegedUserGetsTheFullSandbox) {
  ASSERT_TRUE(doctor_says_yes(doctor_line(kAsNobody, "L1 namespaces")))
      << "unprivileged user namespaces are expected on this kernel (KERNEL.md)";
  ProbeOutcome hostname = run_probe({"--rw", shared_.path()}, {"hostname"}, kAsNobody);
  EXPECT_EQ(hostname.detail(), "mcpsandbox") << describe(hostname);
  EXPECT_NE(hostname.log.find("L1 namespaces (user"), std::string::npos) << hostname.log;
  ProbeOutcome shadow = run_probe({"--rw", shared_.path()}, {"read", "/etc/shadow"}, kAsNobody);
  EXPECT_EQ(shadow.error(), "ENOENT") << describe(shadow);
  ProbeOutcome write = run_probe({"--rw", shared_.path()}, {"write", shared_.file("x")}, kAsNobody);
  EXPECT_TRUE(write.attack_succeeded()) << describe(write);
  ProbeOutcome bpf = run_probe({"--rw", shared_.path()}, {"bpf"}, kAsNobody);
  EXPECT_TRUE(bpf.killed_by_seccomp()) << describe(bpf);
  ProbeOutcome caps = run_probe({}, {"capabilities"}, kAsNobody);
  EXPECT_FALSE(caps.attack_succeeded()) << describe(caps);
  EXPECT_NE(caps.detail().find("CapEff:0000000000000000"), std::string::npos) << describe(caps);
}

TEST_F(Environments, WithoutUserNamespacesLandlockAndSeccompStillConfine) {
  std::string line = doctor_line(kNoUserNamespaces, "L1 namespaces");
  ASSERT_FALSE(line.empty()) << "unshare --user is needed to build this environment";
  EXPECT_FALSE(doctor_says_yes(line)) << line;
  EXPECT_NE(line.find("max_user_namespaces is 0"), std::string::npos) << line;

  ProbeOutcome layers = run_probe({}, {"hostname"}, kNoUserNamespaces);
  EXPECT_NE(layers.log.find("L1 namespaces OFF"), std::string::npos) << layers.log;
  EXPECT_NE(layers.log.find("L2 landlock ABI"), std::string::npos) << layers.log;
  ProbeOutcome shadow = run_probe({}, {"read", "/etc/shadow"}, kNoUserNamespaces);
  EXPECT_EQ(shadow.error(), "EACCES") << describe(shadow);
  ProbeOutcome write = run_probe({}, {"write", "/usr/owned-by-probe"}, kNoUserNamespaces);
  EXPECT_FALSE(write.attack_succeeded()) << describe(write);
  EXPECT_EQ(write.error(), "EACCES") << "Landlock alone refuses it: " << describe(write);
  ProbeOutcome bpf = run_probe({}, {"bpf"}, kNoUserNamespaces);
  EXPECT_TRUE(bpf.killed_by_seccomp()) << describe(bpf);
  // A private temporary directory stands in for the missing private /tmp.
  ProbeOutcome host_tmp = run_probe({}, {"write", "/tmp/mcpsandbox-probe-escaped"}, kNoUserNamespaces);
  EXPECT_FALSE(host_tmp.attack_succeeded()) << describe(host_tmp);
  EXPECT_EQ(host_tmp.error(), "EACCES") << describe(host_tmp);
  // A profile that requires namespaces refuses to run here.
  ProbeOutcome required = run_probe({"--require", "namespaces"}, {"hostname"}, kNoUserNamespaces);
  EXPECT_EQ(required.exit_status, 125) << describe(required);
  EXPECT_NE(required.log.find("requires the namespaces layer"), std::string::npos) << required.log;
}

// Issue 26: without user namespaces the sandbox shares the host's network. Landlock refuses
// TCP connects, but a datagram to a host port arrived. As an ordinary user would meet it.
TEST_F(Environments, WithoutUserNamespacesNothingButGrantedTcpLeavesTheSandbox) {
  UdpReceiver receiver;
  ProbeOutcome udp = run_probe({}, {"udp-send", receiver.port()}, kNobodyWithoutUserNamespaces);
  EXPECT_NE(udp.log.find("L1 namespaces OFF"), std::string::npos) << udp.log;
  EXPECT_EQ(udp.error(), "EPERM") << "seccomp refuses the datagram socket: " << describe(udp);
  EXPECT_FALSE(receiver.received()) << "a datagram reached the host";
  AnyAddressListener listener;
  ProbeOutcome tcp = run_probe({}, {"tcp-connect", listener.port()}, kNobodyWithoutUserNamespaces);
  EXPECT_EQ(tcp.error(), "EACCES") << "Landlock refuses the connect: " << describe(tcp);
  ProbeOutcome fastopen = run_probe({}, {"tcp-fastopen", listener.port()}, kNobodyWithoutUserNamespaces);
  EXPECT_EQ(fastopen.error(), "EACCES") << "a connect by sendto(MSG_FASTOPEN) is Landlock's too: " << describe(fastopen);
}

// The refusals the namespaced suite checks, met as an ordinary user meets this tier (Ubuntu
// 24.04's default): the unprivileged uid itself, not uid 0 of a namespace (issue 26, item 4's
// start; the rest of the suite's attacks follow).
TEST_F(Environments, AnOrdinaryUserWithoutUserNamespacesMeetsTheSameRefusals) {
  const auto& tier = kNobodyWithoutUserNamespaces;
  for (const char* call : {"unshare-user", "mount", "bpf", "io_uring", "perf_event_open", "userfaultfd", "keyctl",
                           "ptrace", "int80", "x32"}) {
    ProbeOutcome o = run_probe({}, {call, "1"}, tier);
    EXPECT_TRUE(o.killed_by_seccomp()) << call << ": " << describe(o);
  }
  for (const char* call : {"mptcp", "raw-socket", "packet-socket", "tiocsti"}) {
    ProbeOutcome o = run_probe({}, {call}, tier);
    EXPECT_EQ(o.error(), "EPERM") << call << ": " << describe(o);
  }
  ProbeOutcome memfd = run_probe({}, {"memfd-exec", "default", "execveat"}, tier);
  EXPECT_EQ(memfd.error(), "ENOSYS") << "only sealed memfds exist: " << describe(memfd);
  ProbeOutcome shadow = run_probe({}, {"read", "/etc/shadow"}, tier);
  EXPECT_EQ(shadow.error(), "EACCES") << describe(shadow);
  // A process of the same uid outside the sandbox: only Landlock's signal scope refuses this
  // (exec'd by setpriv, so the pid is the sleep's own).
  ChildProcess neighbour({"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--",
                          "/bin/sleep", "30"});
  ProbeOutcome signal = run_probe({}, {"kill", std::to_string(neighbour.pid())}, tier);
  EXPECT_EQ(signal.error(), "EPERM") << "Landlock scopes signals to the sandbox: " << describe(signal);
  EXPECT_EQ(::kill(neighbour.pid(), 0), 0) << "the neighbour still runs";
  ProbeOutcome control = run_probe({"--testing-disable-layer", "landlock"}, {"kill", std::to_string(neighbour.pid())}, tier);
  EXPECT_TRUE(control.attack_succeeded()) << "control: without Landlock the signal is delivered: " << describe(control);
}

TEST_F(Environments, MissingLayersFailClosedWithTheReason) {
  TempDir dir;
  std::ofstream(dir.file("abi.json")) << R"({"landlock": {"min_abi": 50}})";
  ProbeOutcome abi = run_probe({"--profile", dir.file("abi.json")}, {"hostname"});
  EXPECT_EQ(abi.exit_status, 125) << describe(abi);
  EXPECT_FALSE(abi.result.has_value()) << "the server must not have run";
  EXPECT_NE(abi.log.find("Landlock ABI 50 or newer is required"), std::string::npos) << abi.log;
  // As nobody there is no cgroup to create: requiring one refuses to start.
  ProbeOutcome cgroups = run_probe({"--require", "cgroups"}, {"hostname"}, kAsNobody);
  EXPECT_EQ(cgroups.exit_status, 125) << describe(cgroups);
  EXPECT_NE(cgroups.log.find("requires the cgroups layer"), std::string::npos) << cgroups.log;
}

TEST_F(Environments, DoctorAgreesWithWhatARunEnforces) {
  bool namespaces = doctor_says_yes(doctor_line({}, "L1 namespaces"));
  ProbeOutcome hostname = run_probe({}, {"hostname"});
  EXPECT_EQ(hostname.detail() == "mcpsandbox", namespaces) << describe(hostname);

  std::string landlock = doctor_line({}, "L2 landlock");
  MCPSANDBOX_NEEDS("landlock", landlock_in_kernel(), "this kernel has no Landlock");
  EXPECT_TRUE(doctor_says_yes(landlock)) << "the kernel has Landlock: " << landlock;
  ProbeOutcome shadow = run_probe({"--testing-disable-layer", "namespaces"}, {"read", "/etc/shadow"});
  EXPECT_EQ(shadow.error(), "EACCES") << "doctor said Landlock works: " << describe(shadow);

  std::string seccomp = doctor_line({}, "L3 seccomp");
  ASSERT_TRUE(doctor_says_yes(seccomp)) << seccomp;
  EXPECT_TRUE(run_probe({}, {"bpf"}).killed_by_seccomp());
}

}  // namespace
}  // namespace mcpsandbox::testing
