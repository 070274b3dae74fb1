// MountNamespaceVisit: lets the launcher's main thread step into the sandbox's mount namespace
// for a few syscalls and back (per-call mounts, launcher/mount_call_grants.h). A helper process
// living there would cost two cross-process wake-ups per request (about 100 µs each on a VM);
// two setns() calls cost a few µs.
//
// Each visit first gives the calling thread its own filesystem context (unshare(CLONE_FS)):
// setns() into a mount namespace needs one that no other thread shares, which threads created
// since the last visit do, and so no other thread's root or working directory moves. The
// working directory is restored on the way back. Failing to get back would leave the thread
// resolving every later path (audit log, profiles) in the sandbox's view: that aborts.
#pragma once

#include <sys/types.h>

#include <utility>

#include "profiles/support/result.h"
#include "proxy/io/unique_fd.h"

namespace mcpsandbox {

class MountNamespaceVisit {
 public:
  // Call on the thread that will run() (the event loop's).
  static Result<MountNamespaceVisit> prepare(pid_t pid);

  // Runs `inside` (returning 0 or an errno value) in the namespace; an errno if it cannot enter.
  template <typename Inside>
  int run(Inside&& inside) {
    if (int rc = enter()) return rc;
    int rc = std::forward<Inside>(inside)();
    leave();
    return rc;
  }

 private:
  MountNamespaceVisit(UniqueFd home, UniqueFd target, UniqueFd cwd)
      : home_(std::move(home)), target_(std::move(target)), cwd_(std::move(cwd)) {}
  int enter();
  void leave();

  UniqueFd home_, target_, cwd_;
};

}  // namespace mcpsandbox
