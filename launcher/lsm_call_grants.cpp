#include "launcher/lsm_call_grants.h"

#include <bpf/bpf.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cerrno>
#include <cstring>

#include "launcher/bpf_types.h"
#include "profiles/paths.h"

namespace mcpsandbox {
namespace {

constexpr uint32_t kRead = MCPSANDBOX_RIGHT_READ, kWrite = MCPSANDBOX_RIGHT_WRITE,
                   kExec = MCPSANDBOX_RIGHT_EXEC, kRun = MCPSANDBOX_RIGHT_RUN;

// The kernel's dev_t packs major and minor differently from userspace's.
uint32_t kernel_dev(dev_t dev) { return (major(dev) << 20) | minor(dev); }

template <typename T>
std::vector<uint8_t> bytes_of(const T& key) {
  const auto* raw = reinterpret_cast<const uint8_t*>(&key);
  return {raw, raw + sizeof key};
}

}  // namespace

LsmCallGrants::LsmCallGrants(UniqueFd inodes, UniqueFd named, uint64_t cgroup_id,
                             std::vector<LsmPathRule> baseline, bool run_granted)
    : inodes_(std::move(inodes)),
      named_(std::move(named)),
      cgroup_id_(cgroup_id),
      baseline_(std::move(baseline)),
      run_granted_(run_granted) {}

LsmCallGrants::~LsmCallGrants() {
  std::vector<std::string> calls;
  for (const auto& [call, keys] : by_call_) calls.push_back(call);
  for (const auto& call : calls) (void)release(call);
}

// The nearest rule above `path` decides, as the kernel's walk up the tree does.
uint32_t LsmCallGrants::baseline_rights(const std::string& path) const {
  const LsmPathRule* nearest = nullptr;
  for (const LsmPathRule& rule : baseline_) {
    if (path_is_under(path, rule.path) && (!nearest || rule.path.size() >= nearest->path.size())) {
      nearest = &rule;
    }
  }
  return nearest ? nearest->rights : 0;
}

uint32_t LsmCallGrants::view_rights(const std::string& path) const {
  const LsmPathRule* nearest = nullptr;
  for (const LsmPathRule& rule : baseline_) {
    if (!rule.wall && path_is_under(path, rule.path) &&
        (!nearest || rule.path.size() >= nearest->path.size())) {
      nearest = &rule;
    }
  }
  return nearest ? nearest->rights : 0;
}

bool LsmCallGrants::beneath_wall(const std::string& path) const {
  for (const LsmPathRule& rule : baseline_) {
    if (rule.wall && path_is_under(path, rule.path)) return true;
  }
  return false;
}

Result<void> LsmCallGrants::grant(const std::string& call, const CallGrants& grants) {
  auto add_all = [&](const std::vector<std::string>& paths, uint32_t rights, bool by_name) -> Result<void> {
    for (const std::string& path : paths) {
      if (auto added = add(call, path, rights, by_name); !added) return added;
    }
    return {};
  };
  Result<void> done = add_all(grants.read, kRead, false);
  if (done) done = add_all(grants.write, kRead | kWrite, true);
  if (done) done = add_all(grants.exec, kRead | kExec | kRun, false);
  if (!done) (void)release(call);
  return done;
}

Result<void> LsmCallGrants::add(const std::string& call, const std::string& path, uint32_t rights,
                                bool by_name) {
  uint32_t view = view_rights(path);
  if ((rights & kRun) && !(view & kExec)) return {};  // nothing runs there: not even read it
  // Never more than the view: no write beneath a read-only path, no running what cannot be mapped.
  uint32_t wanted = rights & (view | ((view & kExec) ? kRun : 0));
  bool walled = beneath_wall(path);
  bool runs = (wanted & kRun) && run_granted_;
  if (!wanted || (!walled && !runs)) return {};  // the baseline decides there
  if (!walled) wanted = kRun;  // a program in the view: only the right to run it is new

  struct stat target {};
  if (::stat(path.c_str(), &target) == 0) {
    mcpsandbox_inode_key inode{};
    inode.cgroup_id = cgroup_id_;
    inode.dev = kernel_dev(target.st_dev);
    inode.ino = target.st_ino;
    if (auto held = hold(call, bytes_of(inode), false, wanted, path); !held) return held;
  }
  if (!by_name || !walled || !(wanted & kWrite)) return {};
  // By name in its directory: the file itself (which it may create, or replace by renaming a
  // temporary file over it) and its temporary siblings NAME.* (an atomic write's).
  size_t slash = path.rfind('/');
  std::string parent = slash == 0 ? "/" : path.substr(0, slash), name = path.substr(slash + 1);
  struct stat dir {};
  if (::stat(parent.c_str(), &dir) < 0) return {};  // nothing to create it in: the call fails
  if (name.empty() || name.size() + 1 >= MCPSANDBOX_NAME_BYTES) {
    return Error{"cannot grant '" + path + "': the name is longer than " +
                 std::to_string(MCPSANDBOX_NAME_BYTES - 3) + " bytes"};
  }
  for (bool exact : {true, false}) {
    mcpsandbox_named_key named{};
    named.cgroup_id = cgroup_id_;
    named.dev = kernel_dev(dir.st_dev);
    named.ino = dir.st_ino;
    std::string text = exact ? name : name + ".";
    std::memcpy(named.name, text.data(), text.size());
    named.prefixlen = MCPSANDBOX_NAMED_FIXED_BITS + static_cast<uint32_t>(text.size() + (exact ? 1 : 0)) * 8;
    if (auto held = hold(call, bytes_of(named), true, wanted, path); !held) return held;
  }
  return {};
}

Result<void> LsmCallGrants::hold(const std::string& call, const Key& key, bool named, uint32_t rights,
                                 const std::string& path) {
  auto found = held_.find(key);
  if (found == held_.end()) {
    Held held{};
    held.named = named;
    // What the inode map holds there now (a baseline rule on that very inode) comes back
    // afterwards. Names are only ever call grants (and a trie lookup is not an exact one).
    held.had_baseline = !named && bpf_map_lookup_elem(inodes_.get(), key.data(), &held.baseline) == 0;
    if (!held.had_baseline) held.baseline = named ? 0 : baseline_rights(path);
    found = held_.emplace(key, held).first;
  }
  uint32_t& mine = found->second.calls[call];
  bool first_for_call = mine == 0;
  mine |= rights;
  if (auto written = write(key, found->second); !written) {
    return Error{"cannot grant '" + path + "': " + written.error().message};
  }
  if (first_for_call) by_call_[call].push_back(key);
  return {};
}

Result<void> LsmCallGrants::write(const Key& key, const Held& held) {
  uint32_t value = held.baseline;
  for (const auto& [call, rights] : held.calls) value |= rights;
  int map = held.named ? named_.get() : inodes_.get();
  if (bpf_map_update_elem(map, key.data(), &value, BPF_ANY)) {
    return Error{std::string("BPF LSM map update: ") + std::strerror(errno)};
  }
  return {};
}

Result<void> LsmCallGrants::release(const std::string& call) {
  auto found = by_call_.find(call);
  if (found == by_call_.end()) return {};
  std::vector<Key> keys = std::move(found->second);
  by_call_.erase(found);
  std::string failed;
  for (const Key& key : keys) {
    auto held = held_.find(key);
    if (held == held_.end()) continue;
    held->second.calls.erase(call);
    if (!held->second.calls.empty()) {
      // The union of the calls still in flight.
      if (auto written = write(key, held->second); !written && failed.empty()) failed = written.error().message;
      continue;
    }
    int map = held->second.named ? named_.get() : inodes_.get();
    int rc = held->second.had_baseline ? bpf_map_update_elem(map, key.data(), &held->second.baseline, BPF_ANY)
                                       : bpf_map_delete_elem(map, key.data());
    if (rc != 0 && errno != ENOENT && failed.empty()) {
      failed = std::string("BPF LSM map: ") + std::strerror(errno);
    }
    held_.erase(held);
  }
  if (!failed.empty()) return Error{"cannot withdraw a file grant: " + failed};
  return {};
}

LsmDestinationGrants::~LsmDestinationGrants() {
  if (!egress_.valid()) return;
  for (uint32_t slot : held_) (void)set_call_grant(slot, nullptr);
}

Result<void> LsmDestinationGrants::set_call_grant(uint32_t slot, const EgressRule* rule) {
  if (slot >= MCPSANDBOX_MAX_CALL_GRANTS) return Error{"no call grant slot " + std::to_string(slot)};
  mcpsandbox_egress_key key{cgroup_id_, MCPSANDBOX_GRANT_INDEX_BASE + slot, 0};
  if (rule) {
    mcpsandbox_egress_rule value = to_bpf_rule(*rule);
    if (bpf_map_update_elem(egress_.get(), &key, &value, BPF_ANY)) {
      return Error{std::string("BPF LSM: connect grant: map update: ") + std::strerror(errno)};
    }
    held_.insert(slot);
    return {};
  }
  if (bpf_map_delete_elem(egress_.get(), &key) && errno != ENOENT) {
    return Error{std::string("BPF LSM: withdraw a connect grant: ") + std::strerror(errno)};
  }
  held_.erase(slot);
  return {};
}

}  // namespace mcpsandbox
