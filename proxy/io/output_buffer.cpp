#include "proxy/io/output_buffer.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mcpsandbox {

Result<void> OutputBuffer::fail(int err) {
  broken_ = true;
  data_.clear();
  data_.shrink_to_fit();
  offset_ = 0;
  return Error{std::string("write to fd ") + std::to_string(fd_) + ": " + std::strerror(err)};
}

Result<void> OutputBuffer::flush() {
  while (!broken_ && !empty()) {
    ssize_t n = ::write(fd_, data_.data() + offset_, pending());
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) break;
      return fail(errno);
    }
    offset_ += static_cast<size_t>(n);
  }
  if (empty()) {
    data_.clear();
    offset_ = 0;
    // A 16 MiB message should not pin 16 MiB for the rest of the session.
    if (data_.capacity() > (1u << 20)) data_.shrink_to_fit();
  } else if (offset_ > (1u << 20) && offset_ > data_.size() / 2) {
    data_.erase(0, offset_);
    offset_ = 0;
  }
  return {};
}

}  // namespace mcpsandbox
