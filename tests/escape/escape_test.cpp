// The escape suite: each attack from inside the sandbox must fail, and each test asserts how
// (the errno, or death by SIGSYS). Then every attack a layer covers is repeated with another
// layer switched off, proving that layer holds on its own.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tests/escape/escape_harness.h"
#include "tests/escape/host_targets.h"

namespace mcpsandbox::testing {
namespace {

int fork_and_reap() {
  pid_t pid = fork();
  if (pid == 0) _exit(0);
  int status = -1;
  waitpid(pid, &status, 0);
  return pid > 0 ? WEXITSTATUS(status) : -1;
}

class Escape : public ::testing::Test {
 protected:
  // The suite asserts the errnos of the full sandbox; a kernel without user namespaces gets
  // the fallback, which Environments and LayerIsolation cover.
  void SetUp() override { SKIP_WITHOUT_NAMESPACES(); }
  std::string write_profile(const std::string& json) const {
    std::string path = profiles_.file("profile-" + std::to_string(profile_count_++) + ".json");
    std::ofstream(path) << json;
    return path;
  }
  TempDir profiles_;
  mutable int profile_count_ = 0;
  std::vector<std::string> grants() const { return {"--rw", work_.path(), "--ro", readonly_.path()}; }
  ProbeOutcome attack(std::vector<std::string> args, std::vector<std::string> extra = {}) const {
    std::vector<std::string> options = grants();
    options.insert(options.end(), extra.begin(), extra.end());
    return run_probe(options, args);
  }
  HostTargets host_;
  TempDir work_, readonly_;
};

TEST_F(Escape, CannotReadHostSecrets) {
  for (std::string path : {std::string("/etc/shadow"), host_.secret(),
                           std::string(getenv("HOME") ? getenv("HOME") : "/root") + "/.ssh/id_rsa"}) {
    ProbeOutcome o = attack({"read", path});
    EXPECT_FALSE(o.attack_succeeded()) << path << ": " << describe(o);
    EXPECT_EQ(o.error(), "ENOENT") << path << " must not even exist in the sandbox";
  }
}

TEST_F(Escape, CannotWriteOutsideReadWriteRoots) {
  for (std::string path : {std::string("/usr/owned"), std::string("/owned"),
                           std::string("/etc/owned"), readonly_.file("owned")}) {
    ProbeOutcome o = attack({"write", path});
    EXPECT_FALSE(o.attack_succeeded()) << path << ": " << describe(o);
    EXPECT_EQ(o.error(), "EROFS") << path;
  }
  ProbeOutcome inside = attack({"write", work_.file("allowed")});
  EXPECT_TRUE(inside.attack_succeeded()) << "the rw root itself must stay writable: " << describe(inside);
}

TEST_F(Escape, CannotWriteToProc) {
  // /proc/sys/vm/drop_caches is mode 0200 root: invoked as root, the sandbox's uid is 0, so
  // only the read-only mount and Landlock stand in the way (sysrq-trigger is alike, where the
  // kernel has it).
  for (const char* path : {"/proc/sys/vm/drop_caches", "/proc/sys/kernel/hostname",
                           "/proc/self/oom_score_adj"}) {
    ProbeOutcome o = attack({"write", path});
    EXPECT_FALSE(o.attack_succeeded()) << path << ": " << describe(o);
    EXPECT_EQ(o.error(), "EROFS") << path;
  }
  ProbeOutcome landlock = attack({"write", "/proc/sys/vm/drop_caches"},
                                 {"--testing-disable-layer", "namespaces"});
  EXPECT_FALSE(landlock.attack_succeeded()) << describe(landlock);
  EXPECT_EQ(landlock.error(), "EACCES") << "Landlock grants /proc read only: " << describe(landlock);
}

TEST_F(Escape, SymlinksAndHardlinksInARwRootCannotReachOut) {
  ProbeOutcome symlink = attack({"symlink-escape", work_.file("link"), host_.secret()});
  EXPECT_FALSE(symlink.attack_succeeded()) << describe(symlink);
  EXPECT_EQ(symlink.error(), "ENOENT");
  ProbeOutcome hardlink = attack({"hardlink-escape", work_.file("hard"), "/etc/passwd"});
  EXPECT_FALSE(hardlink.attack_succeeded()) << describe(hardlink);
  EXPECT_EQ(hardlink.error(), "EXDEV");
}

TEST_F(Escape, ProcRootTricksStayInsideTheSandbox) {
  // The sandbox's init is not dumpable: its root is not even open to look in (EACCES); the
  // server's own root is the sandbox's, which holds no shadow (ENOENT).
  for (auto [path, refusal] : {std::pair{"/proc/1/root/etc/shadow", "EACCES"},
                               std::pair{"/proc/self/root/etc/shadow", "ENOENT"}}) {
    ProbeOutcome o = attack({"read", path});
    EXPECT_FALSE(o.attack_succeeded()) << path << ": " << describe(o);
    EXPECT_EQ(o.error(), refusal) << path << ": " << describe(o);
  }
  ProbeOutcome host_secret = attack({"read", "/proc/1/root" + host_.secret()});
  EXPECT_FALSE(host_secret.attack_succeeded()) << describe(host_secret);
  EXPECT_EQ(host_secret.error(), "EACCES") << describe(host_secret);
}

TEST_F(Escape, CannotReachTheLauncherOrHostProcesses) {
  std::string launcher = std::to_string(getpid());  // an ancestor of the sandbox on the host
  ProbeOutcome environ_read = attack({"read", "/proc/" + launcher + "/environ"});
  EXPECT_FALSE(environ_read.attack_succeeded()) << describe(environ_read);
  EXPECT_EQ(environ_read.error(), "ENOENT") << "host pids do not exist in the sandbox's /proc";
  ProbeOutcome kill = attack({"kill", launcher});
  EXPECT_FALSE(kill.attack_succeeded()) << describe(kill);
  EXPECT_EQ(kill.error(), "ESRCH") << "host pids do not exist in the sandbox's pid namespace";
  ProbeOutcome ptrace = attack({"ptrace", launcher});
  EXPECT_TRUE(ptrace.killed_by_seccomp()) << describe(ptrace);
}

TEST_F(Escape, CannotConnectToHostSockets) {
  ProbeOutcome tcp = attack({"tcp-connect", std::to_string(host_.tcp_port())});
  EXPECT_FALSE(tcp.attack_succeeded()) << describe(tcp);
  EXPECT_EQ(tcp.error(), "EACCES") << "Landlock allows no TCP connect: " << describe(tcp);
  ProbeOutcome path = attack({"unix-connect", host_.unix_socket()});
  EXPECT_FALSE(path.attack_succeeded()) << describe(path);
  EXPECT_EQ(path.error(), "ENOENT");
  ProbeOutcome abstract = attack({"abstract-connect", host_.abstract_name()});
  EXPECT_FALSE(abstract.attack_succeeded()) << describe(abstract);
  EXPECT_EQ(abstract.error(), "ECONNREFUSED")
      << "abstract sockets belong to a network namespace: the host's is not in the sandbox's: " << describe(abstract);
}

TEST_F(Escape, KernelAttackSurfaceKillsTheProcess) {
  for (const char* call : {"unshare-user", "mount", "bpf", "io_uring", "perf_event_open",
                           "userfaultfd", "keyctl", "ptrace", "int80", "x32"}) {
    ProbeOutcome o = attack({call, "1"});
    EXPECT_TRUE(o.killed_by_seccomp()) << call << ": " << describe(o);
  }
}

TEST_F(Escape, DangerousSocketsAndTerminalInjectionAreRefused) {
  for (const char* call : {"mptcp", "raw-socket", "packet-socket", "tiocsti"}) {
    ProbeOutcome o = attack({call});
    EXPECT_FALSE(o.attack_succeeded()) << call << ": " << describe(o);
    EXPECT_EQ(o.error(), "EPERM") << call;
  }
}

TEST_F(Escape, HoldsNoCapabilitiesAndSetuidGrantsNone) {
  ProbeOutcome caps = attack({"capabilities"});
  EXPECT_FALSE(caps.attack_succeeded()) << describe(caps);
  EXPECT_NE(caps.detail().find("CapEff:0000000000000000"), std::string::npos) << describe(caps);
  EXPECT_NE(caps.detail().find("CapBnd:0000000000000000"), std::string::npos) << describe(caps);
  if (geteuid() != 0) GTEST_SKIP() << "making a setuid-root binary needs root";
  // A setuid-root copy of the probe inside a read-only grant: nosuid and no_new_privs both
  // make the bit meaningless.
  std::string setuid_probe = readonly_.file("setuid-probe");
  std::filesystem::copy_file(probe_binary(), setuid_probe);
  ASSERT_EQ(chmod(setuid_probe.c_str(), 04755), 0);
  ProbeOutcome o = attack({"exec", setuid_probe, "capabilities"});
  ASSERT_TRUE(o.result.has_value()) << describe(o);
  EXPECT_FALSE(o.attack_succeeded()) << describe(o);
  EXPECT_NE(o.detail().find("CapEff:0000000000000000"), std::string::npos) << describe(o);
}

TEST_F(Escape, InheritsNoFileDescriptorOfTheLauncher) {
  // An fd mcpsandbox inherited without close-on-exec, as a careless parent might leave it.
  int secret = open(host_.secret().c_str(), O_RDONLY);
  ASSERT_GE(secret, 3);
  ProbeOutcome o = attack({"inherited-fds"});
  close(secret);
  EXPECT_FALSE(o.attack_succeeded()) << "open fds: " << o.detail();
  EXPECT_EQ(o.error(), "EBADF") << "the probe reported: " << describe(o);
}

TEST_F(Escape, ForkBombIsContained) {
  ProbeOutcome o = attack({"fork-bomb"}, {"--profile", write_profile(R"({"limits":{"processes":64}})")});
  ASSERT_TRUE(o.result.has_value()) << describe(o);
  EXPECT_FALSE(o.attack_succeeded());
  EXPECT_LE(std::stoi(o.detail()), 64) << "children created";
  EXPECT_EQ(fork_and_reap(), 0) << "the host can still fork";
}

TEST_F(Escape, MemoryBombIsContained) {
#if defined(MCPSANDBOX_ADDRESS_SANITIZER)
  GTEST_SKIP() << "AddressSanitizer build: RLIMIT_DATA is not applied (launcher/sandbox/hygiene.cpp)";
#endif
  ProbeOutcome o = attack({"memory-bomb"}, {"--profile", write_profile(R"({"limits":{"memory":"256MiB"}})")});
  // Either the allocator is refused (RLIMIT_DATA) or the cgroup's OOM killer ends the probe.
  bool refused = o.result && !o.attack_succeeded();
  bool oom_killed = !o.result && o.exit_status == 128 + SIGKILL;
  EXPECT_TRUE(refused || oom_killed) << describe(o);
  if (refused) {
    EXPECT_LE(std::stoll(o.detail()), 256) << "MiB allocated";
  }
}

TEST_F(Escape, ACustomSeccompPolicyIsCompiledAtLaunchAndHoldsAlike) {
  // Any change to the syscall lists leaves the precompiled default for libseccomp at launch.
  std::string profile = write_profile(R"({"seccomp": {"allow": ["io_pgetevents"]}})");
  ProbeOutcome bpf = attack({"bpf"}, {"--profile", profile});
  EXPECT_TRUE(bpf.killed_by_seccomp()) << describe(bpf);
  ProbeOutcome tiocsti = attack({"tiocsti"}, {"--profile", profile});
  EXPECT_EQ(tiocsti.error(), "EPERM") << describe(tiocsti);
  std::string narrower = write_profile(R"({"seccomp": {"deny": ["socket"]}})");
  ProbeOutcome tcp = attack({"tcp-connect", "1"}, {"--profile", narrower});
  EXPECT_EQ(tcp.error(), "ENOSYS") << "socket() removed from the allowlist: " << describe(tcp);
}

TEST_F(Escape, HasItsOwnHostname) {
  ProbeOutcome o = attack({"hostname"});
  EXPECT_EQ(o.detail(), "mcpsandbox") << describe(o);
}

}  // namespace
}  // namespace mcpsandbox::testing
