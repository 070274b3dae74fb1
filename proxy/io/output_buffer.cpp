#include "proxy/io/output_buffer.h"

#include <sys/uio.h>
#include <unistd.h>

#include <utility>

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

void OutputBuffer::append(std::string_view head, std::string_view tail) {
  constexpr size_t kWriteDirectlyFrom = 256 * 1024;
  if (broken_) return;
  recent_.observe(head.size() + tail.size());
  size_t written = 0;
  if (empty() && head.size() >= kWriteDirectlyFrom) {
    iovec parts[2] = {{const_cast<char*>(head.data()), head.size()},
                      {const_cast<char*>(tail.data()), tail.size()}};
    ssize_t n;
    do {
      n = ::writev(fd_, parts, tail.empty() ? 1 : 2);
    } while (n < 0 && errno == EINTR);
    if (n < 0 && errno != EAGAIN) {
      // Reported by the next flush(), where every write error is handled.
      pending_error_ = errno;
    }
    written = n > 0 ? static_cast<size_t>(n) : 0;
  }
  if (written < head.size()) {
    data_.append(head.substr(written));
    data_.append(tail);
  } else {
    data_.append(tail.substr(written - head.size()));
  }
}

Result<void> OutputBuffer::flush() {
  if (pending_error_) return fail(std::exchange(pending_error_, 0));
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
    // A 16 MiB message should not pin 16 MiB for the rest of the session, but while such
    // messages keep coming the memory is reused rather than faulted in again each time.
    if (recent_.oversized(data_.capacity())) data_.shrink_to_fit();
  } else if (offset_ > (1u << 20) && offset_ > data_.size() / 2) {
    data_.erase(0, offset_);
    offset_ = 0;
  }
  return {};
}

}  // namespace mcpsandbox
