#include "launcher/store/sandbox_reach.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <fstream>
#include <sstream>

#include "profiles/paths.h"
#include "proxy/io/unique_fd.h"

namespace mcpsandbox {
namespace {

// mountinfo writes space, tab, newline and backslash as octal escapes ("\040").
std::string unescape(const std::string& field) {
  std::string out;
  for (size_t i = 0; i < field.size(); ++i) {
    bool octal = i + 3 < field.size();
    for (size_t k = 1; octal && k <= 3; ++k) octal = field[i + k] >= '0' && field[i + k] <= '7';
    if (field[i] == '\\' && octal) {
      out.push_back(static_cast<char>((field[i + 1] - '0') * 64 + (field[i + 2] - '0') * 8 +
                                      (field[i + 3] - '0')));
      i += 3;
    } else {
      out.push_back(field[i]);
    }
  }
  return out;
}

// "/" + "a/b" without doubling or losing the slash.
std::string joined(const std::string& root, const std::string& rest) {
  if (rest.empty() || rest == "/") return root;
  return root == "/" ? rest : root + rest;
}

Result<std::string> path_of(int fd) {
  char path[PATH_MAX];
  std::string link = "/proc/self/fd/" + std::to_string(fd);
  ssize_t n = ::readlink(link.c_str(), path, sizeof path - 1);
  if (n < 0) return Error{"readlink " + link + ": " + std::strerror(errno)};
  return std::string(path, static_cast<size_t>(n));
}

Result<uint64_t> mount_id_of(int fd) {
  struct statx info {};
  if (::statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &info) != 0) {
    return Error{std::string("statx: ") + std::strerror(errno)};
  }
  if (!(info.stx_mask & STATX_MNT_ID)) return Error{"statx: this kernel reports no mount id"};
  return info.stx_mnt_id;
}

bool stronger(Reach a, Reach b) { return static_cast<int>(a) > static_cast<int>(b); }

}  // namespace

Result<SandboxReach> SandboxReach::of(const Plan& plan) {
  SandboxReach reach;
  std::ifstream table("/proc/self/mountinfo");
  if (!table) return Error{"cannot read /proc/self/mountinfo (needed to tell what the sandbox can reach)"};
  for (std::string line; std::getline(table, line);) {
    std::istringstream fields(line);
    Mount mount;
    std::string parent, root, point;
    if (!(fields >> mount.id >> parent >> mount.device >> root >> point)) continue;
    mount.root = unescape(root);
    mount.point = unescape(point);
    reach.mounts_.push_back(std::move(mount));
  }
  for (const PathGrant& grant : plan.paths) {
    if (auto added = reach.add_grant(grant); !added) return added.error();
  }
  return reach;
}

Result<void> SandboxReach::add_grant(const PathGrant& grant) {
  // Where the grant leads on the host (a system grant may follow a root-owned symlink; a user's
  // is refused by the mount code if it is one, but Landlock alone would follow it).
  UniqueFd root(::open(grant.path.c_str(), O_PATH | O_CLOEXEC));
  if (!root.valid()) {
    if (errno == ENOENT) return {};  // not granted: the sandbox gets nothing there
    return Error{"cannot open '" + grant.path + "' (" + grant.why + "): " + std::strerror(errno)};
  }
  ReachingGrant by{grant.kind == PathGrant::Kind::kReadWrite ? Reach::kWrite : Reach::kRead,
                   grant.path, grant.why};
  auto place = place_of(root.get());
  if (!place) return place.error();
  regions_.push_back({place->device, place->path, by});
  auto real = path_of(root.get());
  if (!real) return real.error();
  for (const Mount& mount : mounts_) {
    if (path_is_under(mount.point, *real)) regions_.push_back({mount.device, mount.root, by});
  }
  struct stat info {};
  if (::fstat(root.get(), &info) == 0 && !S_ISDIR(info.st_mode)) {
    files_.push_back({info.st_dev, info.st_ino, by});
  }
  return {};
}

Result<SandboxReach::Place> SandboxReach::place_of(int fd) const {
  auto id = mount_id_of(fd);
  if (!id) return id.error();
  auto path = path_of(fd);
  if (!path) return path.error();
  for (const Mount& mount : mounts_) {
    if (mount.id != *id) continue;
    if (!path_is_under(*path, mount.point)) break;
    std::string rest = mount.point == "/" ? *path : path->substr(mount.point.size());
    return Place{mount.device, joined(mount.root, rest)};
  }
  // A mount outside this process's root (a chroot that is not a mount of its own) is not in
  // the table: its files can only be told apart by mount and path, as the name shows them.
  return Place{"mount " + std::to_string(*id), *path};
}

Result<ReachingGrant> SandboxReach::reach_of(int fd) const {
  auto place = place_of(fd);
  if (!place) return place.error();
  ReachingGrant strongest;
  auto consider = [&](const ReachingGrant& by) {
    if (stronger(by.reach, strongest.reach)) strongest = by;
  };
  for (const Region& region : regions_) {
    if (region.device == place->device && path_is_under(place->path, region.root)) consider(region.by);
  }
  struct stat info {};
  if (::fstat(fd, &info) == 0) {
    for (const GrantedFile& file : files_) {
      if (file.device == info.st_dev && file.inode == info.st_ino) consider(file.by);
    }
  }
  return strongest;
}

}  // namespace mcpsandbox
