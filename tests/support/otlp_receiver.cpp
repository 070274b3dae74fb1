#include "tests/support/otlp_receiver.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>

namespace mcpsandbox::testing {

OtlpReceiver::OtlpReceiver(Mode mode) : mode_(mode) {
  listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address);
  ::listen(listener_, 16);
  socklen_t length = sizeof address;
  ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
  thread_ = std::thread([this] { serve(); });
}

OtlpReceiver::~OtlpReceiver() {
  stopping_ = true;
  thread_.join();
  ::close(listener_);
  for (int fd : hung_) ::close(fd);
}

std::vector<ReceivedPost> OtlpReceiver::posts() const {
  std::lock_guard lock(mutex_);
  return posts_;
}

std::vector<std::string> OtlpReceiver::bodies(const std::string& path) const {
  std::vector<std::string> out;
  for (const ReceivedPost& post : posts()) {
    if (post.path == path) out.push_back(post.body);
  }
  return out;
}

void OtlpReceiver::serve() {
  while (!stopping_) {
    pollfd ready{listener_, POLLIN, 0};
    if (::poll(&ready, 1, 50) <= 0) continue;
    int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    if (mode_ == Mode::kHang) {
      hung_.push_back(fd);
      continue;
    }
    serve_connection(fd);
    ::close(fd);
  }
}

// Requests on one keep-alive connection until the client closes it (or we stop).
void OtlpReceiver::serve_connection(int fd) {
  std::string buffer;
  char chunk[65536];
  while (!stopping_) {
    size_t header_end = buffer.find("\r\n\r\n");
    if (header_end != std::string::npos) {
      std::string head = buffer.substr(0, header_end);
      std::string lower = head;
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](unsigned char c) { return std::tolower(c); });
      size_t length = 0;
      if (size_t at = lower.find("content-length:"); at != std::string::npos) {
        length = std::stoul(lower.substr(at + 15));
      }
      if (buffer.size() >= header_end + 4 + length) {
        ReceivedPost post;
        size_t space = head.find(' ');
        post.path = head.substr(space + 1, head.find(' ', space + 1) - space - 1);
        post.headers = lower;
        post.body = buffer.substr(header_end + 4, length);
        buffer.erase(0, header_end + 4 + length);
        {
          std::lock_guard lock(mutex_);
          posts_.push_back(std::move(post));
        }
        std::string reply = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                            "Content-Length: 2\r\n\r\n{}";
        if (::write(fd, reply.data(), reply.size()) < 0) return;
        continue;
      }
    }
    pollfd ready{fd, POLLIN, 0};
    if (::poll(&ready, 1, 50) <= 0) continue;
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n <= 0) return;
    buffer.append(chunk, static_cast<size_t>(n));
  }
}

}  // namespace mcpsandbox::testing
