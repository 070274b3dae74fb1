// Running code the server wrote: every mount it can write is noexec, so the remaining way is an
// anonymous file. A memfd made without MFD_NOEXEC_SEAL (executable unless vm.memfd_noexec says
// otherwise, and that sysctl is not the sandbox's to set when an ordinary user runs it) is
// refused as unsupported, MFD_EXEC outright; a sealed one cannot be executed by the kernel's
// own rule. As root, as an ordinary user and without user namespaces.
#include <sys/stat.h>
#include <unistd.h>

#include "tests/escape/escape_harness.h"

namespace mcpsandbox::testing {
namespace {

struct Attempt {
  const char* flags;
  const char* via;
  const char* errno_name;  // how the sandbox refuses it
};

constexpr Attempt kAttempts[] = {
    {"default", "execveat", "ENOSYS"},      // seccomp: only sealed memfds exist here
    {"default", "proc", "ENOSYS"},
    {"exec", "execveat", "EPERM"},          // seccomp: MFD_EXEC asks for exactly this
    {"noexec-seal", "execveat", "EACCES"},  // the kernel: a sealed memfd is never executable
    {"noexec-seal", "proc", "EACCES"},
};

void expect_no_memory_exec(const std::vector<std::string>& prefix) {
  for (const Attempt& attempt : kAttempts) {
    std::string what = std::string(attempt.flags) + " via " + attempt.via;
    ProbeOutcome o = run_probe({}, {"memfd-exec", attempt.flags, attempt.via}, prefix);
    EXPECT_FALSE(o.attack_succeeded()) << what << ": " << describe(o);
    EXPECT_EQ(o.error(), attempt.errno_name) << what << ": " << describe(o);
  }
}

TEST(MemoryExec, RootsServerCannotRunCodeItWroteIntoAMemfd) {
  if (geteuid() != 0) GTEST_SKIP() << "runs mcpsandbox as root: needs root";
  expect_no_memory_exec({});
}

TEST(MemoryExec, AnOrdinaryUsersServerCannotRunCodeItWroteIntoAMemfd) {
  if (geteuid() != 0) GTEST_SKIP() << "switching to an unprivileged uid needs root";
  expect_no_memory_exec(kAsNobody);
}

TEST(MemoryExec, WithoutUserNamespacesTheServerCannotRunCodeFromAMemfdEither) {
  expect_no_memory_exec(kNoUserNamespaces);
}

}  // namespace
}  // namespace mcpsandbox::testing
