// SignalInbox: the signals mcpsandbox acts on (INT, TERM, HUP, CHLD) arrive as reads from a
// signalfd in the event loop instead of async handlers; SIGPIPE is ignored so a vanished peer
// is an EPIPE we handle, not a death.
#pragma once

#include "profiles/support/result.h"
#include "proxy/io/unique_fd.h"

namespace mcpsandbox {

class SignalInbox {
 public:
  static Result<SignalInbox> open();
  int fd() const { return fd_.get(); }
  // The next pending signal number, or 0 when none is pending.
  int next();

 private:
  explicit SignalInbox(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

}  // namespace mcpsandbox
