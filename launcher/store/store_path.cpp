#include "launcher/store/store_path.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <vector>

#include "launcher/sandbox/kernel_api.h"
#include "profiles/paths.h"
#include "proxy/io/unique_fd.h"

namespace mcpsandbox {
namespace {

constexpr int kMaxLinks = 40;  // as the kernel's own limit

void push_components(const std::string& path, std::vector<std::string>& pending) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    if (slash > start) parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  pending.insert(pending.end(), parts.rbegin(), parts.rend());
}

UniqueFd open_without_links(const std::string& path) {
  return UniqueFd(kernel::openat2(AT_FDCWD, path.c_str(), O_PATH | O_CLOEXEC | O_NOFOLLOW, 0,
                                  RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS));
}

std::string access_word(Reach reach) { return reach == Reach::kWrite ? "write" : "read"; }

class Resolver {
 public:
  Resolver(const std::string& what, const std::string& path, const SandboxReach& reach)
      : what_(what), path_(path), reach_(reach) {}

  // The real path, component by component; a missing last component is allowed (a file the
  // session will create).
  Result<std::string> resolve() {
    std::vector<std::string> pending;
    push_components(path_, pending);
    std::string done;  // the real path so far, "" for "/"
    for (int links = 0; !pending.empty();) {
      std::string component = pending.back();
      pending.pop_back();
      if (component == ".") continue;
      if (component == "..") {
        done = parent_directory(done.empty() ? "/" : done);
        if (done == "/") done.clear();
        continue;
      }
      std::string candidate = done + "/" + component;
      struct stat info {};
      if (::lstat(candidate.c_str(), &info) != 0) {
        // A path this process cannot search is out of the sandbox's reach as well: every grant
        // is opened with this process's rights or fewer.
        if (errno == ENOENT || errno == EACCES) return not_yet_there(candidate, pending);
        return Error{what_ + " '" + path_ + "': " + candidate + ": " + std::strerror(errno)};
      }
      if (!S_ISLNK(info.st_mode)) {
        done = candidate;
        continue;
      }
      if (++links > kMaxLinks) return Error{what_ + " '" + path_ + "': too many symlinks"};
      if (auto steady = refuse_movable_link(candidate, done.empty() ? "/" : done); !steady) {
        return steady.error();
      }
      char target[PATH_MAX];
      ssize_t n = ::readlink(candidate.c_str(), target, sizeof target - 1);
      if (n < 0) return Error{what_ + " '" + path_ + "': readlink " + candidate + ": " + std::strerror(errno)};
      std::string link(target, static_cast<size_t>(n));
      if (link.front() == '/') done.clear();
      push_components(link, pending);
    }
    return done.empty() ? std::string("/") : done;
  }

 private:
  // A path the session will create (the file, and maybe directories above it).
  Result<std::string> not_yet_there(std::string missing, std::vector<std::string>& pending) {
    for (; !pending.empty(); pending.pop_back()) {
      if (pending.back() == "..") return Error{what_ + " '" + path_ + "': " + missing + " does not exist"};
      if (pending.back() != ".") missing += "/" + pending.back();
    }
    return missing;
  }

  // Whoever can write the directory holding a symlink can change where it leads.
  Result<void> refuse_movable_link(const std::string& link, const std::string& directory) {
    UniqueFd holder = open_without_links(directory);
    if (!holder.valid()) return Error{what_ + " '" + path_ + "': " + directory + ": " + std::strerror(errno)};
    auto by = reach_.reach_of(holder.get());
    if (!by) return Error{what_ + " '" + path_ + "': " + by.error().message};
    if (by->reach == Reach::kWrite) {
      return Error{what_ + " '" + path_ + "' passes through the symlink " + link + ", inside " +
                   by->grant + ", which the server may write (" + by->why +
                   "): it could change where the link leads; name the real path"};
    }
    return {};
  }

  const std::string& what_;
  const std::string& path_;
  const SandboxReach& reach_;
};

Result<void> refuse_reached(const std::string& what, const std::string& real, const std::string& shown,
                            StoreRule rule, const SandboxReach& reach) {
  UniqueFd node = open_without_links(shown);
  if (!node.valid()) {
    return Error{what + " '" + real + "': " + shown + ": " + std::strerror(errno)};
  }
  auto by = reach.reach_of(node.get());
  if (!by) return Error{what + " '" + real + "': " + by.error().message};
  bool refused = rule == StoreRule::kNotReadable ? by->reach != Reach::kNone : by->reach == Reach::kWrite;
  if (!refused) return {};
  std::string where = shown == real ? real : real + " (its directory " + shown + ")";
  return Error{what + " " + where + " is inside " + by->grant + ", which the server may " +
               access_word(by->reach) + " (" + by->why + "): " +
               (rule == StoreRule::kNotReadable
                    ? "the server could read it; keep it outside the sandbox's view"
                    : "it could rewrite its own policy; keep it elsewhere")};
}

// Where mcpsandbox writes files beside a store file, a grant inside the directory could
// reach them (a file grant of FILE.pending, say).
Result<void> refuse_grant_beside(const std::string& what, const std::string& real, const std::string& directory,
                                 const SandboxReach& reach) {
  UniqueFd holder = open_without_links(directory);
  if (!holder.valid()) return Error{what + " '" + real + "': " + directory + ": " + std::strerror(errno)};
  auto inside = reach.grant_named_like(holder.get(), real.substr(real.rfind('/') + 1));
  if (!inside) return Error{what + " '" + real + "': " + inside.error().message};
  if (!*inside) return {};
  return Error{what + " " + real + ": the grant " + (*inside)->grant + " (" + (*inside)->why +
               ") is one of the files mcpsandbox writes beside it (" + real + ".pending, .sig, .1...)"};
}

}  // namespace

Result<std::string> guard_store_path(const std::string& path, StoreRule rule,
                                     const std::string& what, const SandboxReach& reach,
                                     bool writes_beside) {
  auto real = Resolver(what, path, reach).resolve();
  if (!real) return real.error();
  struct stat info {};
  bool exists = ::lstat(real->c_str(), &info) == 0;
  if (exists && S_ISREG(info.st_mode) && info.st_nlink > 1) {
    return Error{what + " " + *real + " has " + std::to_string(info.st_nlink) +
                 " names (hard links): another could be in the sandbox's view; keep it a single file"};
  }
  if (exists) {
    if (auto r = refuse_reached(what, *real, *real, rule, reach); !r) return r.error();
  }
  // The directory too: whoever can write it can replace the file by a rename. For a file still
  // to be made, the nearest directory that exists: it is where the server would have to be.
  std::string directory = parent_directory(*real);
  while (directory != "/" && ::lstat(directory.c_str(), &info) != 0) directory = parent_directory(directory);
  if (*real != "/") {
    StoreRule directory_rule = exists ? StoreRule::kNotWritable : rule;
    if (auto r = refuse_reached(what, *real, directory, directory_rule, reach); !r) return r.error();
    if (writes_beside) {
      if (auto r = refuse_grant_beside(what, *real, directory, reach); !r) return r.error();
    }
  }
  return *real;
}

}  // namespace mcpsandbox
