#include "launcher/sandbox/seccomp_filter.h"

#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "launcher/sandbox/seccomp_compiler.h"
#include "profiles/syscall_policy.h"

namespace mcpsandbox {
namespace {

// Generated at build time by seccomp_precompile from the same compile_seccomp() code.
#include "seccomp_default.inc"

std::optional<SetupError> install(const sock_filter* program, size_t length, const char* what) {
  sock_fprog fprog{static_cast<unsigned short>(length), const_cast<sock_filter*>(program)};
  if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) < 0) {
    return SetupError::from(errno, std::string("seccomp: install ") + what);
  }
  return std::nullopt;
}

}  // namespace

bool is_default_seccomp_policy(const SeccompPlan& plan) {
  return plan.allow == baseline_syscalls() && plan.kill == always_killed_syscalls();
}

std::optional<SetupError> load_seccomp_filter(const SeccompPlan& plan) {
  if (is_default_seccomp_policy(plan)) {
    if (plan.ip_datagrams) {
      MCPSANDBOX_STEP(install(kDefaultAllowlist, std::size(kDefaultAllowlist), "allowlist"));
    } else {
      MCPSANDBOX_STEP(install(kDefaultAllowlistWithoutDatagrams, std::size(kDefaultAllowlistWithoutDatagrams),
                              "allowlist"));
    }
    return install(kDefaultArgumentDenials, std::size(kDefaultArgumentDenials), "argument filter");
  }
  CompiledSeccomp compiled;
  MCPSANDBOX_STEP(compile_seccomp(plan, compiled));
  MCPSANDBOX_STEP(install(compiled.allowlist.data(), compiled.allowlist.size(), "allowlist"));
  return install(compiled.argument_denials.data(), compiled.argument_denials.size(), "argument filter");
}

}  // namespace mcpsandbox
