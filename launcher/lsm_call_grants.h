// LsmCallGrants: the filesystem and exec half of call-scoped grants (issue #9), as entries of
// the L5 BPF LSM maps keyed by the sandbox's cgroup id. While a tool call is in flight, what its
// grants name gets an entry with the granted rights; when the call ends the entry goes (or goes
// back to what the baseline had there). Concurrent calls get the union of their rights.
//
// Grants add only where the baseline withholds: beneath a `filesystem.call_scoped` path (whose
// baseline entry has no rights), and programs to run in a sandbox with `filesystem.exec`. They
// never exceed the view: a grant beneath a read-only path gives no write, and a path outside
// the user's paths gets nothing (the mounts and Landlock would refuse it anyway).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "launcher/destination_grants.h"
#include "launcher/file_grants.h"
#include "proxy/io/unique_fd.h"

namespace mcpsandbox {

// One baseline rule of a sandbox: rights beneath `path`. A wall (call-scoped path) has none.
struct LsmPathRule {
  std::string path;
  uint32_t rights;
  bool wall = false;
  bool user_path = false;  // one of the user's ro/rw paths: the view a grant may not exceed
};

class LsmCallGrants final : public FileGrants {
 public:
  LsmCallGrants(UniqueFd inodes, UniqueFd named, uint64_t cgroup_id, std::vector<LsmPathRule> baseline,
                bool run_granted);
  LsmCallGrants(LsmCallGrants&&) = default;
  ~LsmCallGrants() override;

  Result<void> grant(const std::string& call, const CallGrants& grants) override;
  Result<void> release(const std::string& call) override;
  // Entries held now (for tests and the audit).
  size_t held() const { return held_.size(); }

 private:
  using Key = std::vector<uint8_t>;  // an inode key (24 bytes) or a named trie key (88 bytes)
  struct Held {
    bool named;
    bool had_baseline;
    uint32_t baseline;
    std::map<std::string, uint32_t> calls;  // call -> rights it added
  };
  // The rights the baseline gives at `path` (nearest rule above it), and what the view allows.
  uint32_t baseline_rights(const std::string& path) const;
  uint32_t view_rights(const std::string& path) const;
  bool beneath_wall(const std::string& path) const;
  Result<void> add(const std::string& call, const std::string& path, uint32_t rights, bool by_name);
  Result<void> hold(const std::string& call, const Key& key, bool named, uint32_t rights, const std::string& path);
  Result<void> write(const Key& key, const Held& held);

  UniqueFd inodes_, named_;
  uint64_t cgroup_id_;
  std::vector<LsmPathRule> baseline_;
  bool run_granted_;
  std::map<Key, Held> held_;
  std::map<std::string, std::vector<Key>> by_call_;
};

// The connect half: slot N of the sandbox's grants is the egress map entry (cgroup id,
// MCPSANDBOX_GRANT_INDEX_BASE + N), which the LSM's connect hook checks after the static rules.
// Entries still held when it goes are deleted.
class LsmDestinationGrants final : public DestinationGrants {
 public:
  LsmDestinationGrants(UniqueFd egress, uint64_t cgroup_id) : egress_(std::move(egress)), cgroup_id_(cgroup_id) {}
  LsmDestinationGrants(LsmDestinationGrants&&) = default;
  ~LsmDestinationGrants() override;
  Result<void> set_call_grant(uint32_t slot, const EgressRule* rule) override;

 private:
  UniqueFd egress_;
  uint64_t cgroup_id_;
  std::set<uint32_t> held_;
};

}  // namespace mcpsandbox
