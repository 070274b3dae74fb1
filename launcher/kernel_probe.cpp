#include "launcher/kernel_probe.h"

#include <linux/seccomp.h>
#include <sched.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string_view>
#include <cstring>
#include <fstream>

#include "launcher/cgroup.h"
#include "launcher/lsm_policy.h"
#include "launcher/sandbox/kernel_api.h"

namespace mcpsandbox {
namespace {

// A child creates a user and mount namespace and a tmpfs in it with the new mount API: what
// the sandbox does, minus the server. It shares our memory and we wait for it (vfork-style):
// a full fork would make every page of ours copy-on-write, which costs more than the probe.
int probe_child(void*) {
  if (::unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0) return errno == 0 ? 1 : errno;
  int fs = kernel::fsopen("tmpfs", FSOPEN_CLOEXEC);
  if (fs < 0) return 200;
  ::close(fs);
  return 0;
}

FeatureProbe probe_user_namespaces() {
  alignas(16) static thread_local char stack[64 * 1024];
  pid_t child = ::clone(probe_child, stack + sizeof stack, CLONE_VM | CLONE_VFORK | SIGCHLD,
                        nullptr);
  if (child < 0) return {false, std::string("clone: ") + std::strerror(errno)};
  int status = 0;
  ::waitpid(child, &status, 0);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {true, "user, mount, pid, net, ipc, uts, cgroup"};
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (code == 200) return {false, "the new mount API (fsopen) is not permitted in a user namespace"};
  std::string why = code > 0 ? std::strerror(code) : "probe crashed";
  std::ifstream max_namespaces("/proc/sys/user/max_user_namespaces");
  long max = -1;
  max_namespaces >> max;
  if (max == 0) why += " (user.max_user_namespaces is 0)";
  std::ifstream apparmor("/proc/sys/kernel/apparmor_restrict_unprivileged_userns");
  int restricted = 0;
  if (apparmor >> restricted && restricted == 1) {
    why += " (AppArmor restricts unprivileged user namespaces; install launcher/apparmor/mcpsandbox, see README)";
  }
  return {false, "cannot create a user namespace: " + why};
}

FeatureProbe probe_seccomp() {
  uint32_t action = SECCOMP_RET_KILL_PROCESS;
  if (::syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0) {
    return {true, "filters with SECCOMP_RET_KILL_PROCESS"};
  }
  return {false, std::string("seccomp filters unavailable: ") + std::strerror(errno)};
}

}  // namespace

bool probe_broken_for_testing(const char* feature) {
  const char* broken = std::getenv("MCPSANDBOX_TESTING_BREAK_PROBE");
  return broken && std::string_view(broken) == feature;
}

FeatureProbe broken_probe() { return {false, "MCPSANDBOX_TESTING_BREAK_PROBE says this probe fails"}; }

KernelFeatures probe_kernel() {
  KernelFeatures features;
  features.user_namespaces = probe_user_namespaces();
  features.landlock_abi = kernel::landlock::abi_version();
  features.landlock = features.landlock_abi > 0
                          ? FeatureProbe{true, "ABI " + std::to_string(features.landlock_abi)}
                          : FeatureProbe{false, "Landlock is not enabled in this kernel (needs "
                                                "5.13+ and landlock in the lsm= list)"};
  features.seccomp = probe_seccomp();
  features.cgroups = CgroupLimiter::probe();
  // Loading the programs costs ~30 ms: a launch attaches them once and proves those (run_server).
  features.cgroup_bpf = ::geteuid() == 0
                            ? FeatureProbe{true, "proven when attached"}
                            : FeatureProbe{false, "needs root to attach cgroup-bpf programs"};
  if (probe_broken_for_testing("cgroup-bpf")) features.cgroup_bpf = broken_probe();
  features.bpf_lsm = ::geteuid() == 0 ? LsmPolicy::probe_for_launch()
                                      : FeatureProbe{false, "needs root to attach LSM programs"};
  return features;
}

}  // namespace mcpsandbox
