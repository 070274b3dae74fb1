#include "launcher/mount_namespace_visit.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace mcpsandbox {

Result<MountNamespaceVisit> MountNamespaceVisit::prepare(pid_t pid) {
  if (::unshare(CLONE_FS) < 0) return Error{std::string("unshare(CLONE_FS): ") + std::strerror(errno)};
  UniqueFd home(::open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC));
  if (!home.valid()) return Error{std::string("open /proc/self/ns/mnt: ") + std::strerror(errno)};
  std::string target_path = "/proc/" + std::to_string(pid) + "/ns/mnt";
  UniqueFd target(::open(target_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!target.valid()) return Error{"open " + target_path + ": " + std::strerror(errno)};
  UniqueFd cwd(::open(".", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!cwd.valid()) return Error{std::string("open the working directory: ") + std::strerror(errno)};
  return MountNamespaceVisit(std::move(home), std::move(target), std::move(cwd));
}

// Every time, not only in prepare(): a thread created since (a resolver's, the OTLP exporter's,
// one of libcurl's) shares this thread's filesystem context, and setns(CLONE_NEWNS) refuses a
// shared one with EINVAL. Unsharing an unshared context is a no-op.
int MountNamespaceVisit::enter() {
  if (::unshare(CLONE_FS) < 0) return errno;
  return ::setns(target_.get(), CLONE_NEWNS) < 0 ? errno : 0;
}

void MountNamespaceVisit::leave() {
  if (::setns(home_.get(), CLONE_NEWNS) == 0 && ::fchdir(cwd_.get()) == 0) return;
  std::fprintf(stderr, "mcpsandbox: fatal: cannot leave the sandbox's mount namespace: %s\n", std::strerror(errno));
  std::abort();
}

}  // namespace mcpsandbox
