// Call-scoped capabilities (issue #9): what one tools/call's arguments named, per the profile's
// `grants`, and the interface through which the kernel layers grant exactly that while the call
// is in flight. The proxy decides what a call may reach; the launcher (which knows the kernel)
// implements CallScope: network grants as cgroup-bpf map entries, filesystem ones with BPF LSM.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "profiles/support/result.h"

namespace mcpsandbox {

struct CallGrants {
  struct Endpoint {
    std::string host;  // a name or an address literal, as the argument's URL wrote it
    uint16_t port = 0;
  };
  std::vector<std::string> read, write, exec;  // absolute paths as the server sees them
  std::vector<Endpoint> connect;
  bool empty() const { return read.empty() && write.empty() && exec.empty() && connect.empty(); }
};

// Why a call's result is not passed on: the server departed from the tool's behavioural pin
// (rule "pins.behaviour"), or a grant of the call could not be withdrawn ("grants.withdraw":
// the launcher then ends the sandbox, since the server would keep what it was granted).
struct WithheldResult {
  int code;  // the JSON-RPC error the client gets instead
  std::string rule, reason;
};

class CallScope {
 public:
  virtual ~CallScope() = default;
  // Before every tools/call is forwarded (with or without grants). `call` is the request's key
  // (what close() gets), `id` its JSON id as the audit log writes it. An error refuses the call,
  // which then never reaches the server. Concurrent calls get the union of their grants.
  virtual Result<void> open(const std::string& call, const std::string& id, const std::string& tool,
                            const CallGrants& grants) = 0;
  // When the call's response or error passes, the client cancels it, it times out or the server
  // is gone. Idempotent; a call that opened nothing is ignored. Returns why the call's result
  // must be withheld, if it must.
  virtual std::optional<WithheldResult> close(const std::string& call) = 0;
};

}  // namespace mcpsandbox
