#include "launcher/sandbox_path_resolver.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <fstream>
#include <vector>

namespace mcpsandbox {
namespace {

constexpr int kMaxSymlinks = 40;  // the kernel's own limit (ELOOP)

std::vector<std::string> split(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    if (end > start) parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

}  // namespace

Result<int> SandboxPathResolver::root() const {
  if (root_.valid()) return root_.get();
  std::string path = "/proc/" + std::to_string(pid_) + "/root";
  int fd = ::open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 && errno == EACCES) {
    // The sandbox's init is deliberately not dumpable (so the server cannot reach into it),
    // which also closes its /proc entry to an unprivileged launcher. The server it started
    // shares its root and is dumpable once it has exec'd.
    std::ifstream children("/proc/" + std::to_string(pid_) + "/task/" + std::to_string(pid_) +
                           "/children");
    for (pid_t child; fd < 0 && children >> child;) {
      fd = ::open(("/proc/" + std::to_string(child) + "/root").c_str(),
                  O_PATH | O_DIRECTORY | O_CLOEXEC);
    }
    if (fd < 0) errno = EACCES;
  }
  if (fd < 0) return Error{"open " + path + ": " + std::strerror(errno)};
  root_.reset(fd);
  return fd;
}

Result<std::string> SandboxPathResolver::resolve(const std::string& path) const {
  auto root_fd = root();
  if (!root_fd) return root_fd.error();
  // Components still to walk, in reverse so that a link's target can be pushed in front.
  std::vector<std::string> pending = split(path);
  std::reverse(pending.begin(), pending.end());
  std::vector<std::string> resolved;
  int links = 0;
  bool missing = false;  // past a component that does not exist: the rest is taken as written
  while (!pending.empty()) {
    std::string part = std::move(pending.back());
    pending.pop_back();
    if (part == ".") continue;
    if (part == "..") {
      if (!resolved.empty()) resolved.pop_back();
      continue;
    }
    resolved.push_back(part);
    if (missing) continue;
    std::string relative;
    for (const auto& component : resolved) relative += (relative.empty() ? "" : "/") + component;
    char target[PATH_MAX];
    ssize_t length = ::readlinkat(*root_fd, relative.c_str(), target, sizeof target - 1);
    if (length < 0) {
      if (errno == EINVAL) continue;  // exists, not a symlink
      if (errno == ENOENT || errno == ENOTDIR) {
        missing = true;
        continue;
      }
      return Error{"readlink " + relative + ": " + std::strerror(errno)};
    }
    if (++links > kMaxSymlinks) return Error{"too many levels of symbolic links"};
    target[length] = '\0';
    resolved.pop_back();
    if (target[0] == '/') resolved.clear();  // absolute: from the sandbox's root
    std::vector<std::string> more = split(target);
    for (auto it = more.rbegin(); it != more.rend(); ++it) pending.push_back(*it);
  }
  std::string out;
  for (const auto& component : resolved) out += "/" + component;
  return out.empty() ? std::string("/") : out;
}

}  // namespace mcpsandbox
