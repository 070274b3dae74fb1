#include "tests/support/machine_features.h"

#include <linux/landlock.h>
#include <sys/syscall.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace mcpsandbox::testing {

bool machine_must_provide(std::string_view feature) {
  const char* declared = std::getenv("MCPSANDBOX_TEST_REQUIRE");
  if (!declared) return false;
  std::stringstream list(declared);
  for (std::string item; std::getline(list, item, ',');) {
    if (item == feature) return true;
  }
  return false;
}

bool running_as_root() { return ::geteuid() == 0; }

int landlock_abi() {
  long abi = ::syscall(SYS_landlock_create_ruleset, nullptr, 0, LANDLOCK_CREATE_RULESET_VERSION);
  return abi > 0 ? static_cast<int>(abi) : 0;
}

bool landlock_in_kernel() { return landlock_abi() > 0; }

bool user_namespaces_work() {
  pid_t child = ::fork();
  if (child == 0) ::_exit(::unshare(CLONE_NEWUSER) == 0 ? 0 : 1);
  int status = 0;
  return child > 0 && ::waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

bool cgroup2_mounted() {
  std::ifstream mounts("/proc/self/mountinfo");
  for (std::string line; std::getline(mounts, line);) {
    if (line.find(" - cgroup2 ") != std::string::npos) return true;
  }
  return false;
}

bool kernel_btf_available() { return ::access("/sys/kernel/btf/vmlinux", R_OK) == 0; }

}  // namespace mcpsandbox::testing
