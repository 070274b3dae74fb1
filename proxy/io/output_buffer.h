// OutputBuffer: bytes queued for one non-blocking fd. Writes go straight to the fd when nothing
// is queued (the common, low-latency case) and only the remainder is copied.
#pragma once

#include <string>
#include <string_view>

#include "profiles/support/result.h"
#include "proxy/recent_peak.h"

namespace mcpsandbox {

class OutputBuffer {
 public:
  explicit OutputBuffer(int fd) : fd_(fd) {}

  // Queues bytes; nothing is written until flush(), so a burst of messages read at once leaves
  // in one write. A large message with nothing queued ahead of it is written straight from
  // the caller's memory instead, so a 16 MiB result is not copied just to be sent.
  void append(std::string_view head, std::string_view tail = {});
  // Writes as much as the fd takes now; call after appending and when the fd is writable.
  Result<void> flush();

  size_t pending() const { return data_.size() - offset_; }
  bool empty() const { return pending() == 0 && pending_error_ == 0; }
  int fd() const { return fd_; }
  // After a write error the peer is gone: queued bytes are discarded and later writes ignored.
  bool broken() const { return broken_; }

 private:
  Result<void> fail(int err);

  int fd_;
  std::string data_;
  size_t offset_ = 0;
  bool broken_ = false;
  int pending_error_ = 0;
  RecentPeak recent_;
};

}  // namespace mcpsandbox
