#include "launcher/store/mount_table.h"

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

Result<uint64_t> mount_id_of(int fd) {
  struct statx info {};
  if (::statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &info) != 0) {
    return Error{std::string("statx: ") + std::strerror(errno)};
  }
  if (!(info.stx_mask & STATX_MNT_ID)) return Error{"statx: this kernel reports no mount id"};
  return info.stx_mnt_id;
}

// An overlay's upperdir and lowerdir(s) from its super options ("lowerdir=/a:/b,upperdir=/c").
void read_overlay_layers(const std::string& options, Mount& mount) {
  std::stringstream items(options);
  for (std::string item; std::getline(items, item, ',');) {
    if (item.rfind("upperdir=", 0) == 0) mount.upper = unescape(item.substr(9));
    if (item.rfind("lowerdir=", 0) != 0) continue;
    std::stringstream dirs(item.substr(9));
    for (std::string dir; std::getline(dirs, dir, ':');) {
      if (!dir.empty()) mount.lowers.push_back(unescape(dir));
    }
  }
}

Mount parse_line(const std::string& line, bool& ok) {
  std::istringstream fields(line);
  Mount mount;
  std::string parent, root, point;
  ok = static_cast<bool>(fields >> mount.id >> parent >> mount.device >> root >> point);
  mount.root = unescape(root);
  mount.point = unescape(point);
  // Optional fields, then " - TYPE SOURCE SUPER_OPTIONS".
  for (std::string field; fields >> field;) {
    if (field != "-") continue;
    std::string source, options;
    fields >> mount.type >> source >> options;
    if (mount.type == "overlay") read_overlay_layers(options, mount);
    break;
  }
  return mount;
}

}  // namespace

bool Place::within(const Place& other) const { return device == other.device && path_is_under(path, other.path); }

Result<std::string> path_of_fd(int fd) {
  char path[PATH_MAX];
  std::string link = "/proc/self/fd/" + std::to_string(fd);
  ssize_t n = ::readlink(link.c_str(), path, sizeof path - 1);
  if (n < 0) return Error{"readlink " + link + ": " + std::strerror(errno)};
  return std::string(path, static_cast<size_t>(n));
}

Result<MountTable> MountTable::read() {
  MountTable table;
  std::ifstream in("/proc/self/mountinfo");
  if (!in) return Error{"cannot read /proc/self/mountinfo (needed to tell what the sandbox can reach)"};
  for (std::string line; std::getline(in, line);) {
    bool ok = false;
    Mount mount = parse_line(line, ok);
    if (ok) table.mounts_.push_back(std::move(mount));
  }
  return table;
}

Result<Place> MountTable::place_of(int fd) const {
  auto id = mount_id_of(fd);
  if (!id) return id.error();
  auto path = path_of_fd(fd);
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

Result<std::vector<std::string>> MountTable::layer_paths_of(int fd) const {
  auto id = mount_id_of(fd);
  if (!id) return id.error();
  auto path = path_of_fd(fd);
  if (!path) return path.error();
  std::vector<std::string> layers;
  for (const Mount& mount : mounts_) {
    if (mount.id != *id || mount.type != "overlay" || !path_is_under(*path, mount.point)) continue;
    std::string rest = mount.point == "/" ? *path : path->substr(mount.point.size());
    if (!mount.upper.empty()) layers.push_back(joined(mount.upper, rest));
    for (const std::string& lower : mount.lowers) layers.push_back(joined(lower, rest));
  }
  return layers;
}

Result<std::vector<Place>> MountTable::place_path(const std::string& path) const {
  UniqueFd node(::open(path.c_str(), O_PATH | O_CLOEXEC));
  if (!node.valid()) {
    if (errno == ENOENT) return std::vector<Place>{};
    return Error{"cannot open '" + path + "': " + std::strerror(errno)};
  }
  auto place = place_of(node.get());
  if (!place) return place.error();
  return std::vector<Place>{*place};
}

}  // namespace mcpsandbox
