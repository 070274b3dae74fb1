// HostTargets: what the sandbox must not reach on the host, set up by a test: a secret file
// outside every grant, a TCP listener on 127.0.0.1, a pathname and an abstract unix socket.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <string>

#include "tests/support/child_process.h"

namespace mcpsandbox::testing {

class HostTargets {
 public:
  HostTargets() {
    std::ofstream(secret_dir_.file("secret")) << "host secret\n";
    tcp_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(tcp_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    listen(tcp_, 8);
    socklen_t length = sizeof addr;
    getsockname(tcp_, reinterpret_cast<sockaddr*>(&addr), &length);
    tcp_port_ = ntohs(addr.sin_port);
    unix_ = listen_unix(secret_dir_.file("sock"), false);
    abstract_name_ = "mcpsandbox-escape-" + std::to_string(getpid());
    abstract_ = listen_unix(abstract_name_, true);
  }
  ~HostTargets() {
    for (int fd : {tcp_, unix_, abstract_}) close(fd);
  }
  std::string secret() const { return secret_dir_.file("secret"); }
  std::string unix_socket() const { return secret_dir_.file("sock"); }
  const std::string& abstract_name() const { return abstract_name_; }
  int tcp_port() const { return tcp_port_; }

 private:
  static int listen_unix(const std::string& name, bool abstract) {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    size_t offset = abstract ? 1 : 0;
    std::memcpy(addr.sun_path + offset, name.data(), name.size());
    bind(fd, reinterpret_cast<sockaddr*>(&addr),
         static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + offset + name.size()));
    listen(fd, 8);
    return fd;
  }
  TempDir secret_dir_;
  int tcp_ = -1, unix_ = -1, abstract_ = -1, tcp_port_ = 0;
  std::string abstract_name_;
};

}  // namespace mcpsandbox::testing
