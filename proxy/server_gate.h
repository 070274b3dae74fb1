// ServerGate: lets the server run only while a request is in flight (profile
// `hardening.out_of_band: "deny"`). The relay knows when that is; the launcher (which knows
// the kernel) implements it by freezing the sandbox's cgroup, so a server cannot act on its own
// between calls: whatever it scheduled for then runs, if at all, inside the next request's
// window, under that request's grants.
#pragma once

namespace mcpsandbox {

class ServerGate {
 public:
  virtual ~ServerGate() = default;
  // Called whenever the answer changes: true while a request is in flight, during start-up
  // (until the first request is answered) and from shutdown on.
  virtual void let_run(bool running) = 0;
};

}  // namespace mcpsandbox
