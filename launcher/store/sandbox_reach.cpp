#include "launcher/store/sandbox_reach.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "profiles/paths.h"
#include "proxy/io/unique_fd.h"

namespace mcpsandbox {
namespace {

bool stronger(Reach a, Reach b) { return static_cast<int>(a) > static_cast<int>(b); }

}  // namespace

// `path`, or the nearest directory above it that exists: where a file to come would be.
Result<std::optional<Place>> SandboxReach::nearest_existing_place(std::string path) const {
  while (true) {
    struct stat info {};
    if (::lstat(path.c_str(), &info) == 0) {
      auto places = mounts_.place_path(path);
      if (!places) return places.error();
      return places->empty() ? std::optional<Place>() : std::optional<Place>(places->front());
    }
    if (path.empty() || path == "/") return std::optional<Place>();
    size_t slash = path.rfind('/');
    path = slash == 0 ? "/" : path.substr(0, slash);
  }
}

Result<SandboxReach> SandboxReach::of(const Plan& plan, MountTable mounts) {
  SandboxReach reach;
  reach.mounts_ = std::move(mounts);
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
    // Missing, or closed to this process: the sandbox, built with its rights or fewer, gets
    // nothing there either (the mount code reports a grant it cannot make).
    if (errno == ENOENT || errno == EACCES) return {};
    return Error{"cannot open '" + grant.path + "' (" + grant.why + "): " + std::strerror(errno)};
  }
  ReachingGrant by{grant.kind == PathGrant::Kind::kReadWrite ? Reach::kWrite : Reach::kRead,
                   grant.path, grant.why};
  auto place = mounts_.place_of(root.get());
  if (!place) return place.error();
  regions_.push_back({*place, by});
  roots_.push_back({*place, by});
  auto real = path_of_fd(root.get());
  if (!real) return real.error();
  for (const Mount& mount : mounts_.mounts()) {
    bool below = path_is_under(mount.point, *real);
    if (below) regions_.push_back({{mount.device, mount.root}, by});
    // An overlay below the grant, or the one the grant is in, shows its layers' files.
    if (mount.type == "overlay" && (below || place->device == mount.device)) {
      if (auto layers = add_overlay_layers(mount, by); !layers) return layers.error();
    }
  }
  struct stat info {};
  if (::fstat(root.get(), &info) == 0 && !S_ISDIR(info.st_mode)) {
    files_.push_back({info.st_dev, info.st_ino, by});
  }
  return {};
}

Result<void> SandboxReach::add_overlay_layers(const Mount& overlay, const ReachingGrant& by) {
  // Writes land in the upper layer; the lower ones are only read through the overlay.
  ReachingGrant read = by;
  if (read.reach == Reach::kWrite) read.reach = Reach::kRead;
  std::vector<std::pair<std::string, ReachingGrant>> layers;
  if (!overlay.upper.empty()) layers.emplace_back(overlay.upper, by);
  for (const std::string& lower : overlay.lowers) layers.emplace_back(lower, read);
  for (const auto& [directory, access] : layers) {
    auto places = mounts_.place_path(directory);
    if (!places) return places.error();
    for (const Place& place : *places) regions_.push_back({place, access});
  }
  return {};
}

Result<ReachingGrant> SandboxReach::reach_of(int fd) const {
  auto place = mounts_.place_of(fd);
  if (!place) return place.error();
  ReachingGrant strongest;
  auto consider = [&](const ReachingGrant& by) {
    if (stronger(by.reach, strongest.reach)) strongest = by;
  };
  for (const Region& region : regions_) {
    if (place->within(region.place)) consider(region.by);
  }
  // On an overlay, the file is also what its layers hold there: a grant of a layer directory
  // reaches it (the upper one for writing, where a file there may not exist yet).
  auto layers = mounts_.layer_paths_of(fd);
  if (!layers) return layers.error();
  for (const std::string& layer : *layers) {
    auto layer_place = nearest_existing_place(layer);
    if (!layer_place) return layer_place.error();
    for (const Region& region : regions_) {
      if (*layer_place && (*layer_place)->within(region.place)) consider(region.by);
    }
  }
  struct stat info {};
  if (::fstat(fd, &info) == 0) {
    for (const GrantedFile& file : files_) {
      if (file.device == info.st_dev && file.inode == info.st_ino) consider(file.by);
    }
  }
  return strongest;
}

Result<std::optional<ReachingGrant>> SandboxReach::grant_named_like(int fd, const std::string& name) const {
  auto directory = mounts_.place_of(fd);
  if (!directory) return directory.error();
  std::string prefix = directory->path == "/" ? "/" + name : directory->path + "/" + name;
  for (const Region& root : roots_) {
    if (root.place.device == directory->device && root.place.path.rfind(prefix, 0) == 0) {
      return std::optional<ReachingGrant>(root.by);
    }
  }
  return std::optional<ReachingGrant>();
}

}  // namespace mcpsandbox
