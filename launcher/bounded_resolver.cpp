#include "launcher/bounded_resolver.h"

#include <netdb.h>

#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>

namespace mcpsandbox {
namespace {

// What the lookup's thread and the waiting caller share; whichever lets go last frees it.
struct Lookup {
  std::mutex lock;
  std::condition_variable done_signal;
  bool done = false;
  int status = 0;
  std::vector<sockaddr_storage> addresses;
};

void look_up(const std::string& host, Lookup& lookup) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  int status = ::getaddrinfo(host.c_str(), nullptr, &hints, &found);
  std::vector<sockaddr_storage> addresses;
  for (addrinfo* entry = status == 0 ? found : nullptr; entry; entry = entry->ai_next) {
    if (entry->ai_family != AF_INET && entry->ai_family != AF_INET6) continue;
    sockaddr_storage address{};
    std::memcpy(&address, entry->ai_addr, entry->ai_addrlen);
    addresses.push_back(address);
  }
  if (found) ::freeaddrinfo(found);
  std::lock_guard hold(lookup.lock);
  lookup.done = true;
  lookup.status = status;
  lookup.addresses = std::move(addresses);
  lookup.done_signal.notify_all();
}

}  // namespace

Result<std::vector<sockaddr_storage>> BoundedResolver::resolve(const std::string& host) const {
  auto lookup = std::make_shared<Lookup>();
  try {
    std::thread([host, lookup] { look_up(host, *lookup); }).detach();
  } catch (const std::system_error& error) {
    return Error{"cannot resolve '" + host + "': cannot start a lookup: " + error.what()};
  }
  std::unique_lock hold(lookup->lock);
  if (!lookup->done_signal.wait_for(hold, deadline_, [&] { return lookup->done; })) {
    return Error{"cannot resolve '" + host + "': no answer within " + std::to_string(deadline_.count()) +
                 " ms (the relay does not wait longer)"};
  }
  if (lookup->status != 0) return Error{"cannot resolve '" + host + "': " + ::gai_strerror(lookup->status)};
  return std::move(lookup->addresses);
}

}  // namespace mcpsandbox
