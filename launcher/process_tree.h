// The server's process tree. mcpsandbox makes itself a child subreaper, so a grandchild that
// double-forks or calls setsid() is re-parented to us instead of init and can still be found,
// signalled and reaped: no server process outlives mcpsandbox.
#pragma once

#include <sys/types.h>

#include <vector>

#include "profiles/support/result.h"

namespace mcpsandbox {

class ProcessTree {
 public:
  static Result<void> become_subreaper();
  // Every live descendant of this process, parents before children.
  static std::vector<pid_t> descendants();
  // Signals the server's process group and every other descendant.
  static void signal_all(pid_t server_pid, int signal);
  // Reaps exited descendants other than `keep` (the server, reaped through its pidfd).
  static void reap_orphans(pid_t keep);
};

}  // namespace mcpsandbox
