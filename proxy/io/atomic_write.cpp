#include "proxy/io/atomic_write.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mcpsandbox {

Result<void> write_file_atomically(const std::string& path, const std::string& text, mode_t mode) {
  std::string temporary = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return Error{temporary + ": " + std::strerror(errno)};
  bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                 ::fsync(fd) == 0;
  int saved_errno = errno;
  ::close(fd);
  if (!written || ::rename(temporary.c_str(), path.c_str()) != 0) {
    if (written) saved_errno = errno;
    ::unlink(temporary.c_str());
    return Error{path + ": cannot write: " + std::strerror(saved_errno)};
  }
  return {};
}

}  // namespace mcpsandbox
