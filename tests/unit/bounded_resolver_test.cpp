#include "launcher/bounded_resolver.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <gtest/gtest.h>

namespace mcpsandbox {
namespace {

using namespace std::chrono_literals;

TEST(BoundedResolver, ResolvesANameWithinTheDeadline) {
  BoundedResolver resolver(2000ms);
  auto addresses = resolver.resolve("localhost");
  ASSERT_TRUE(addresses.ok()) << addresses.error().message;
  ASSERT_FALSE(addresses->empty());
  for (const sockaddr_storage& address : *addresses) {
    bool loopback = address.ss_family == AF_INET
                        ? ntohl(reinterpret_cast<const sockaddr_in&>(address).sin_addr.s_addr) >> 24 == 127
                        : IN6_IS_ADDR_LOOPBACK(&reinterpret_cast<const sockaddr_in6&>(address).sin6_addr);
    EXPECT_TRUE(loopback);
  }
  auto missing = resolver.resolve("no-such-host.invalid");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("cannot resolve 'no-such-host.invalid'"), std::string::npos);
}

// A DNS server that never answers (a UDP socket nobody reads, in a private network namespace,
// named by a private /etc/resolv.conf): glibc alone would wait 5 s per attempt; the relay waits
// the deadline and gives up with its own message.
TEST(BoundedResolver, GivesUpOnAResolverThatNeverAnswers) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root for a private network and mount namespace";
  char conf[] = "/tmp/mcpsandbox-resolv-XXXXXX";
  int conf_fd = ::mkstemp(conf);
  ASSERT_GE(conf_fd, 0);
  std::string text = "nameserver 127.0.0.1\noptions timeout:5 attempts:2\n";
  ASSERT_EQ(::write(conf_fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  ::close(conf_fd);
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(pipe_fds[0]);
    auto say = [&](const std::string& what) {
      (void)!::write(pipe_fds[1], what.data(), what.size());
      ::_exit(0);
    };
    if (::unshare(CLONE_NEWNS | CLONE_NEWNET) < 0) say("unshare failed");
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0) say("make-rprivate failed");
    if (::mount(conf, "/etc/resolv.conf", nullptr, MS_BIND, nullptr) < 0) say("bind resolv.conf failed");
    int sock = ::socket(AF_INET, SOCK_DGRAM, 0);
    ifreq lo{};
    std::snprintf(lo.ifr_name, sizeof lo.ifr_name, "lo");
    lo.ifr_flags = IFF_UP;
    if (::ioctl(sock, SIOCSIFFLAGS, &lo) < 0) say("lo up failed");
    sockaddr_in dns{};
    dns.sin_family = AF_INET;
    dns.sin_port = htons(53);
    dns.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(sock, reinterpret_cast<sockaddr*>(&dns), sizeof dns) < 0) say("bind :53 failed");
    BoundedResolver resolver(300ms);
    auto result = resolver.resolve("never-answers.example");
    say(result.ok() ? "resolved" : result.error().message);
  }
  ::close(pipe_fds[1]);
  std::string said;
  char buffer[512];
  for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;) said.append(buffer, n);
  ::close(pipe_fds[0]);
  ::waitpid(child, nullptr, 0);
  ::unlink(conf);
  EXPECT_NE(said.find("no answer within 300 ms"), std::string::npos) << said;
}

}  // namespace
}  // namespace mcpsandbox
