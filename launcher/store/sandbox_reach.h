// SandboxReach: which host files a sandbox built from a plan can read or write, judged by the
// file's identity (MountTable's Place: its filesystem and its place inside it), not by the name
// it was given. A symlink, a bind mount that makes a second path to a directory, an overlay
// that shows a directory through another mount, or ".." cannot hide a file inside a grant. A
// grant reaches its own subtree of its filesystem, every mount below it (grants are bound
// recursively), and an overlay's layers, wherever else those are mounted.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "launcher/store/mount_table.h"
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
  // `mounts`: this process's mount table, read once by the caller.
  static Result<SandboxReach> of(const Plan& plan, MountTable mounts);

  // How the sandbox reaches the file or directory open at `fd` (an O_PATH descriptor will do).
  Result<ReachingGrant> reach_of(int fd) const;
  // A grant inside the directory open at `fd` whose name there starts with `name` (by identity),
  // if any: mcpsandbox makes files of its own beside a store file (FILE.pending, FILE.sig,
  // FILE.1) and none of them may be, or be below, a grant.
  Result<std::optional<ReachingGrant>> grant_named_like(int fd, const std::string& name) const;
  const MountTable& mounts() const { return mounts_; }

 private:
  struct Region {
    Place place;
    ReachingGrant by;
  };
  Result<void> add_grant(const PathGrant& grant);
  Result<void> add_overlay_layers(const Mount& overlay, const ReachingGrant& by);
  Result<std::optional<Place>> nearest_existing_place(std::string path) const;

  MountTable mounts_;
  std::vector<Region> regions_;
  std::vector<Region> roots_;  // each grant's own place
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
