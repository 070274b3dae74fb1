// SandboxReach: which host files a sandbox built from a plan can read or write, judged by the
// file's identity (its filesystem and its place inside it), not by the name it was given. A
// symlink, a bind mount that makes a second path to a directory, or ".." cannot hide a file
// inside a grant. Computed in the launcher's mount namespace from /proc/self/mountinfo: a grant
// reaches its own subtree of its filesystem and every mount below it (grants are bound
// recursively), wherever else those are mounted.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "profiles/plan.h"
#include "profiles/support/result.h"

namespace mcpsandbox {

enum class Reach { kNone, kRead, kWrite };

// The strongest access the sandbox has to a file, and the grant that gives it.
struct ReachingGrant {
  Reach reach = Reach::kNone;
  std::string grant;  // the grant's path as the plan names it
  std::string why;    // the plan's reason for it
};

class SandboxReach {
 public:
  static Result<SandboxReach> of(const Plan& plan);

  // How the sandbox reaches the file or directory open at `fd` (an O_PATH descriptor will do).
  Result<ReachingGrant> reach_of(int fd) const;

 private:
  struct Mount {
    uint64_t id = 0;
    std::string device;  // "major:minor" of the filesystem
    std::string root;    // the mounted directory's path inside its filesystem
    std::string point;   // where it is mounted in this namespace
  };
  // A subtree of one filesystem that the sandbox can see.
  struct Region {
    std::string device, root;
    ReachingGrant by;
  };
  struct Place {
    std::string device, path;  // the file's filesystem and its path inside it
  };

  Result<Place> place_of(int fd) const;
  Result<void> add_grant(const PathGrant& grant);

  std::vector<Mount> mounts_;
  std::vector<Region> regions_;
  // Granted files (not directories) by inode as well: a hard link is a second path to the same
  // file that no subtree holds.
  struct GrantedFile {
    dev_t device;
    ino_t inode;
    ReachingGrant by;
  };
  std::vector<GrantedFile> files_;
};

}  // namespace mcpsandbox
