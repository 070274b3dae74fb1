// FileGrants: where a call's read, write and exec grants (proxy/call_scope.h) are made in the
// kernel. Two mechanisms: BPF LSM map entries (LsmCallGrants) where BPF LSM runs, and per-call
// bind mounts into the sandbox's mount namespace (MountCallGrants) where it does not.
#pragma once

#include <string>

#include "proxy/call_scope.h"

namespace mcpsandbox {

class FileGrants {
 public:
  virtual ~FileGrants() = default;
  // Makes `call`'s grants; on error nothing of this call stays and the call is refused.
  virtual Result<void> grant(const std::string& call, const CallGrants& grants) = 0;
  // Withdraws them (idempotent); what other calls in flight hold stays. An error means some
  // stayed: the caller must end the sandbox, which would otherwise keep them.
  virtual Result<void> release(const std::string& call) = 0;
};

}  // namespace mcpsandbox
