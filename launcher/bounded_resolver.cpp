#include "launcher/bounded_resolver.h"

#include <netdb.h>

#include <cstring>
#include <ctime>
#include <utility>

namespace mcpsandbox {

// Everything glibc's resolver thread reads or writes while a lookup runs.
struct BoundedResolver::Lookup {
  std::string host;
  addrinfo hints{};
  gaicb request{};
  ~Lookup() {
    if (request.ar_result) ::freeaddrinfo(request.ar_result);
  }
};

BoundedResolver::BoundedResolver(std::chrono::milliseconds deadline) : deadline_(deadline) {}

BoundedResolver::~BoundedResolver() {
  reap();
  // Still running at exit: glibc's thread owns them now; freeing would be a use after free.
  for (auto& lookup : abandoned_) (void)lookup.release();
}

void BoundedResolver::reap() {
  abandoned_.remove_if([](const std::unique_ptr<Lookup>& lookup) {
    return ::gai_error(const_cast<gaicb*>(&lookup->request)) != EAI_INPROGRESS;
  });
}

Result<std::vector<sockaddr_storage>> BoundedResolver::resolve(const std::string& host) {
  reap();
  auto lookup = std::make_unique<Lookup>();
  lookup->host = host;
  lookup->hints.ai_family = AF_UNSPEC;
  lookup->hints.ai_socktype = SOCK_STREAM;
  lookup->request.ar_name = lookup->host.c_str();
  lookup->request.ar_request = &lookup->hints;
  gaicb* list[] = {&lookup->request};
  if (int rc = ::getaddrinfo_a(GAI_NOWAIT, list, 1, nullptr); rc != 0) {
    return Error{"cannot resolve '" + host + "': " + ::gai_strerror(rc)};
  }
  const gaicb* waiting[] = {&lookup->request};
  // gai_suspend returns early on signals and on other lookups finishing: wait out the deadline.
  auto until = std::chrono::steady_clock::now() + deadline_;
  int status;
  while ((status = ::gai_error(&lookup->request)) == EAI_INPROGRESS && std::chrono::steady_clock::now() < until) {
    auto remaining = std::chrono::duration_cast<std::chrono::nanoseconds>(until - std::chrono::steady_clock::now());
    timespec left{static_cast<time_t>(remaining.count() / 1000000000), static_cast<long>(remaining.count() % 1000000000)};
    (void)::gai_suspend(waiting, 1, &left);
  }
  if (status == EAI_INPROGRESS) {
    if (::gai_cancel(&lookup->request) != EAI_CANCELED) abandoned_.push_back(std::move(lookup));
    return Error{"cannot resolve '" + host + "': no answer within " + std::to_string(deadline_.count()) +
                 " ms (the relay does not wait longer)"};
  }
  if (status != 0) return Error{"cannot resolve '" + host + "': " + ::gai_strerror(status)};
  std::vector<sockaddr_storage> addresses;
  for (addrinfo* entry = lookup->request.ar_result; entry; entry = entry->ai_next) {
    if (entry->ai_family != AF_INET && entry->ai_family != AF_INET6) continue;
    sockaddr_storage address{};
    std::memcpy(&address, entry->ai_addr, entry->ai_addrlen);
    addresses.push_back(address);
  }
  return addresses;
}

}  // namespace mcpsandbox
