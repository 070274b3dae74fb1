// MountTable: this process's mounts (/proc/self/mountinfo) and where a file lies by identity:
// its filesystem and its path inside that filesystem, whatever name (symlink, bind mount, "..")
// it was opened by. Two names of one directory have the same Place.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "profiles/support/result.h"

namespace mcpsandbox {

struct Place {
  std::string device;  // "major:minor" of the filesystem ("mount N" for a mount not listed)
  std::string path;    // the file's path inside it

  // `this` is `other` or lies below it.
  bool within(const Place& other) const;
};

struct Mount {
  uint64_t id = 0;
  std::string device;  // "major:minor" of the filesystem
  std::string root;    // the mounted directory's path inside its filesystem
  std::string point;   // where it is mounted in this namespace
  std::string type;    // "ext4", "overlay"...
  std::string upper;                // an overlay's upper directory (where its writes land)
  std::vector<std::string> lowers;  // and its lower ones (read through it)
};

class MountTable {
 public:
  static Result<MountTable> read();

  // Where the file or directory open at `fd` (an O_PATH descriptor will do) lies.
  Result<Place> place_of(int fd) const;
  // Opens `path` (following symlinks, as a grant does) and places it; nothing if it is missing.
  Result<std::vector<Place>> place_path(const std::string& path) const;
  // Where the file open at `fd` lives in the layers of the overlay it is on (upper first), as
  // paths that need not exist yet; nothing when it is not on an overlay.
  Result<std::vector<std::string>> layer_paths_of(int fd) const;
  const std::vector<Mount>& mounts() const { return mounts_; }

 private:
  std::vector<Mount> mounts_;
};

// The path `fd` was opened at, as this process's namespace names it.
Result<std::string> path_of_fd(int fd);

}  // namespace mcpsandbox
