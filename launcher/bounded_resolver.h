// BoundedResolver: the addresses a connect grant's host name resolves to, within a deadline.
// Grants are made on the relay's thread before the call is forwarded, and glibc's getaddrinfo
// can block for the resolver's full retry schedule (5 s per attempt and server by default): a
// model naming a host whose DNS never answers would stall every other message of the session.
// Each lookup runs on its own short-lived thread and is abandoned at the deadline (the thread
// finishes on its own and frees what it shares). Not getaddrinfo_a: its threads are glibc's
// own, invisible to ThreadSanitizer, which crashes on them.
#pragma once

#include <sys/socket.h>

#include <chrono>
#include <string>
#include <vector>

#include "profiles/support/result.h"

namespace mcpsandbox {

class BoundedResolver {
 public:
  explicit BoundedResolver(std::chrono::milliseconds deadline) : deadline_(deadline) {}

  // The IPv4 and IPv6 addresses of `host` (a name; literals need no resolver).
  Result<std::vector<sockaddr_storage>> resolve(const std::string& host) const;

 private:
  std::chrono::milliseconds deadline_;
};

}  // namespace mcpsandbox
