#include "launcher/store/trusted_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>

#include "profiles/paths.h"
#include <cstring>

namespace mcpsandbox {
namespace {

// Root-owned and not writable by group or others.
Result<void> check_admin_only(const struct stat& info, const std::string& path,
                              const std::string& what) {
  if (info.st_uid != 0 || (info.st_mode & (S_IWGRP | S_IWOTH))) {
    return Error{what + " " + path + " is in managed mode (" + kManagedDir +
                 ") but could be changed by a non-root user (owner uid " +
                 std::to_string(info.st_uid) + ", mode " + std::to_string(info.st_mode & 07777) +
                 "); refusing it (chown root and chmod go-w)"};
  }
  return {};
}

}  // namespace

Result<TrustedFile> read_trusted_file(const std::string& path, const std::string& what) {
  char real[PATH_MAX];
  if (!::realpath(path.c_str(), real)) {
    return Error{"cannot read " + what + " '" + path + "': " + std::strerror(errno)};
  }
  TrustedFile file;
  file.path = real;
  file.managed = path_is_under(file.path, kManagedDir);
  int fd = ::open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return Error{"cannot read " + what + " '" + path + "': " + std::strerror(errno)};
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    return Error{what + " '" + path + "' is not a regular file"};
  }
  if (file.managed && ::getuid() != 0) {
    auto ok = check_admin_only(info, file.path, what);
    // Every directory from the file up to /etc/mcpsandbox: a writable one lets the file be
    // replaced by rename.
    for (std::string dir = file.path.substr(0, file.path.rfind('/')); ok && path_is_under(dir, kManagedDir);
         dir = dir.substr(0, dir.rfind('/'))) {
      struct stat dir_info {};
      if (::stat(dir.c_str(), &dir_info) != 0) break;
      ok = check_admin_only(dir_info, dir, what + " directory");
    }
    if (!ok) {
      ::close(fd);
      return ok.error();
    }
  }
  char buffer[64 * 1024];
  for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) != 0;) {
    if (n < 0) {
      if (errno == EINTR) continue;
      int saved = errno;
      ::close(fd);
      return Error{"reading " + what + " '" + path + "': " + std::strerror(saved)};
    }
    file.text.append(buffer, static_cast<size_t>(n));
    if (file.text.size() > (16u << 20)) {
      ::close(fd);
      return Error{what + " '" + path + "' is larger than 16 MiB"};
    }
  }
  ::close(fd);
  return file;
}

}  // namespace mcpsandbox
