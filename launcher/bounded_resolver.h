// BoundedResolver: the addresses a connect grant's host name resolves to, within a deadline.
// Grants are made on the relay's thread before the call is forwarded, and glibc's getaddrinfo
// can block for the resolver's full retry schedule (5 s per attempt and server by default): a
// model naming a host whose DNS never answers would stall every other message of the session.
// The lookup runs in glibc's asynchronous resolver (getaddrinfo_a) and is abandoned at the
// deadline; an abandoned lookup is kept until glibc finishes it, then freed.
#pragma once

#include <sys/socket.h>

#include <chrono>
#include <list>
#include <memory>
#include <string>
#include <vector>

#include "profiles/support/result.h"

namespace mcpsandbox {

class BoundedResolver {
 public:
  explicit BoundedResolver(std::chrono::milliseconds deadline);
  BoundedResolver(const BoundedResolver&) = delete;
  BoundedResolver& operator=(const BoundedResolver&) = delete;
  ~BoundedResolver();

  // The IPv4 and IPv6 addresses of `host` (a name; literals need no resolver).
  Result<std::vector<sockaddr_storage>> resolve(const std::string& host);

 private:
  struct Lookup;
  void reap();

  std::chrono::milliseconds deadline_;
  std::list<std::unique_ptr<Lookup>> abandoned_;
};

}  // namespace mcpsandbox
