#include "launcher/lsm_policy.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <dirent.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>
#include <string>
#include <utility>

#include "launcher/cgroup.h"

#include "launcher/bpf_types.h"
#include "lsm_policy.skel.h"

namespace mcpsandbox {
namespace {

constexpr const char* kPinRoot = "/sys/fs/bpf/mcpsandbox";

// Pins live in a directory named after the programs' own bytes, so a newer mcpsandbox never
// reuses programs pinned by an older one (they stay until reboot, serving their own sandboxes).
const std::string& pin_dir() {
  static const std::string dir = [] {
    size_t size = 0;
    const auto* bytes = static_cast<const unsigned char*>(lsm_policy__elf_bytes(&size));
    uint64_t hash = 1469598103934665603ull;  // FNV-1a
    for (size_t i = 0; i < size; ++i) hash = (hash ^ bytes[i]) * 1099511628211ull;
    char name[32];
    std::snprintf(name, sizeof name, "/lsm-%016llx", static_cast<unsigned long long>(hash));
    return std::string(kPinRoot) + name;
  }();
  return dir;
}
std::string pin(const char* name) { return pin_dir() + "/" + name; }


Error failure(const std::string& what, int err) {
  return Error{"BPF LSM: " + what + ": " + std::strerror(err)};
}

// Loads, attaches and pins the programs (links) and the sandbox map.
Result<void> load_and_pin() {
  lsm_policy* skeleton = lsm_policy__open_and_load();
  if (!skeleton) return failure("load", errno);
  struct Cleanup {
    lsm_policy* skeleton;
    ~Cleanup() { lsm_policy__destroy(skeleton); }
  } cleanup{skeleton};
  if (int rc = lsm_policy__attach(skeleton); rc) return failure("attach", -rc);
  ::mkdir(kPinRoot, 0700);
  ::mkdir(pin_dir().c_str(), 0700);
  bpf_link* links[] = {skeleton->links.mcpsandbox_task_kill,
                       skeleton->links.mcpsandbox_ptrace_access_check,
                       skeleton->links.mcpsandbox_sb_mount, skeleton->links.mcpsandbox_bpf,
                       skeleton->links.mcpsandbox_file_mprotect,
                       skeleton->links.mcpsandbox_file_open, skeleton->links.mcpsandbox_bprm_check,
                       skeleton->links.mcpsandbox_mmap_file, skeleton->links.mcpsandbox_path_mknod,
                       skeleton->links.mcpsandbox_path_mkdir, skeleton->links.mcpsandbox_path_rmdir,
                       skeleton->links.mcpsandbox_path_unlink,
                       skeleton->links.mcpsandbox_path_symlink,
                       skeleton->links.mcpsandbox_path_link, skeleton->links.mcpsandbox_path_rename,
                       skeleton->links.mcpsandbox_socket_connect,
                       skeleton->links.mcpsandbox_socket_bind, skeleton->links.mcpsandbox_bpf_map,
                       skeleton->links.mcpsandbox_bpf_prog, skeleton->links.mcpsandbox_path_chmod,
                       skeleton->links.mcpsandbox_inode_setxattr};
  const char* names[] = {"task_kill",     "ptrace_access_check", "sb_mount",    "bpf",
                         "file_mprotect", "file_open",           "bprm_check",  "mmap_file",
                         "path_mknod",    "path_mkdir",          "path_rmdir",  "path_unlink",
                         "path_symlink",  "path_link",           "path_rename", "socket_connect", "socket_bind",
                         "bpf_map",       "bpf_prog",            "path_chmod",  "inode_setxattr"};
  static_assert(std::size(links) == std::size(names));
  for (size_t i = 0; i < std::size(links); ++i) {
    std::string path = pin((std::string("link_") + names[i]).c_str());
    if (int rc = bpf_link__pin(links[i], path.c_str()); rc) return failure("pin " + path, -rc);
  }
  if (int rc = bpf_map__pin(skeleton->maps.mcpsandbox_inodes, pin("inodes").c_str()); rc) {
    return failure("pin the inode map", -rc);
  }
  if (int rc = bpf_map__pin(skeleton->maps.mcpsandbox_denials, pin("denials").c_str()); rc) {
    return failure("pin the denial map", -rc);
  }
  if (int rc = bpf_map__pin(skeleton->maps.mcpsandbox_egress, pin("egress").c_str()); rc) {
    return failure("pin the egress map", -rc);
  }
  if (int rc = bpf_map__pin(skeleton->maps.mcpsandbox_named, pin("named").c_str()); rc) {
    return failure("pin the named-grant map", -rc);
  }
  // The sandbox map last: its pin is what tells later launches that everything is in place.
  if (int rc = bpf_map__pin(skeleton->maps.mcpsandbox_sandboxes, pin("sandboxes").c_str()); rc) {
    return failure("pin the sandbox map", -rc);
  }
  return {};
}

// Loading is one launch at a time: two at boot would each find no pins and load, and the
// second's pins fail (EEXIST) beside the first's. Held until the pins are complete.
Result<UniqueFd> lock_loading() {
  ::mkdir(kRunDir, 0700);
  std::string path = std::string(kRunDir) + "/lsm-load.lock";
  UniqueFd lock(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!lock.valid()) return failure("open " + path, errno);
  while (::flock(lock.get(), LOCK_EX) < 0) {
    if (errno != EINTR) return failure("lock " + path, errno);
  }
  return lock;
}

// Pins without the sandbox map's (it is pinned last) are what a launch left when it failed or
// was killed mid-way: they serve no sandbox, and would make the next pin fail. Called with the
// load lock held.
void remove_partial_pins() {
  DIR* dir = ::opendir(pin_dir().c_str());
  if (!dir) return;
  while (dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] != '.') ::unlinkat(::dirfd(dir), entry->d_name, 0);
  }
  ::closedir(dir);
}

// The pinned sandbox map, loading and pinning everything first if no launch has.
Result<UniqueFd> pinned_sandbox_map(bool* transient) {
  UniqueFd sandboxes(bpf_obj_get(pin("sandboxes").c_str()));
  if (sandboxes.valid()) return sandboxes;
  auto lock = lock_loading();
  if (!lock) {
    if (transient) *transient = true;
    return lock.error();
  }
  sandboxes.reset(bpf_obj_get(pin("sandboxes").c_str()));  // a launch may have pinned meanwhile
  if (sandboxes.valid()) return sandboxes;
  remove_partial_pins();
  if (auto loaded = load_and_pin(); !loaded) {
    remove_partial_pins();  // repaired now, never remembered as this boot's verdict
    if (transient) *transient = loaded.error().message.find(": pin ") != std::string::npos;
    return loaded.error();
  }
  sandboxes.reset(bpf_obj_get(pin("sandboxes").c_str()));
  if (!sandboxes.valid()) return failure("open the pinned sandbox map", errno);
  return sandboxes;
}

// Every key of a pinned map, to delete those of swept sandboxes.
template <typename Key>
std::vector<Key> keys_of(int map) {
  std::vector<Key> keys;
  Key key{}, next{};
  const void* cursor = nullptr;
  while (bpf_map_get_next_key(map, cursor, &next) == 0) {
    keys.push_back(next);
    key = next;
    cursor = &key;
  }
  return keys;
}

}  // namespace

Result<LsmPolicy> LsmPolicy::attach() { return attach(nullptr); }

Result<LsmPolicy> LsmPolicy::attach(bool* transient) {
  auto pinned = pinned_sandbox_map(transient);
  if (!pinned) return pinned.error();
  UniqueFd sandbox_map = std::move(*pinned);
  UniqueFd inodes(bpf_obj_get(pin("inodes").c_str()));
  if (!inodes.valid()) return failure("open the pinned inode map", errno);
  UniqueFd denials(bpf_obj_get(pin("denials").c_str()));
  if (!denials.valid()) return failure("open the pinned denial map", errno);
  UniqueFd egress(bpf_obj_get(pin("egress").c_str()));
  if (!egress.valid()) return failure("open the pinned egress map", errno);
  UniqueFd named(bpf_obj_get(pin("named").c_str()));
  if (!named.valid()) return failure("open the pinned named-grant map", errno);
  LsmPolicy policy(std::move(sandbox_map), std::move(inodes), std::move(denials), std::move(egress),
                   std::move(named));
  policy.sweep_stale_sandboxes();
  return policy;
}

void LsmPolicy::sweep_stale_sandboxes() const {
  std::vector<StaleSandbox> stale = stale_sandboxes(keys_of<uint64_t>(sandboxes_.get()));
  if (stale.empty()) return;
  std::set<uint64_t> ids;
  for (const StaleSandbox& sandbox : stale) {
    // Its tasks outlived their launch: they end before the rules that confined them go.
    std::ofstream(sandbox.cgroup + "/cgroup.kill") << "1";
    ids.insert(sandbox.cgroup_id);
  }
  for (uint64_t id : ids) {
    bpf_map_delete_elem(sandboxes_.get(), &id);
    bpf_map_delete_elem(denials_.get(), &id);
  }
  for (const auto& key : keys_of<mcpsandbox_inode_key>(inodes_.get())) {
    if (ids.count(key.cgroup_id)) bpf_map_delete_elem(inodes_.get(), &key);
  }
  for (const auto& key : keys_of<mcpsandbox_egress_key>(egress_.get())) {
    if (ids.count(key.cgroup_id)) bpf_map_delete_elem(egress_.get(), &key);
  }
  for (const auto& key : keys_of<mcpsandbox_named_key>(named_.get())) {
    if (ids.count(key.cgroup_id)) bpf_map_delete_elem(named_.get(), &key);
  }
  for (uint64_t id : ids) forget_sandbox(id);
}

namespace {

// What the sandbox may reach, as the plan's paths and (without a mount namespace of its own)
// the host's /proc and device nodes that the mount view would otherwise provide; then the walls
// of call-scoped paths (no rights: only call grants open them), then the programs it may run.
std::vector<LsmPathRule> rules_for(const Plan& plan, bool own_mounts) {
  constexpr __u32 kRead = MCPSANDBOX_RIGHT_READ, kWrite = MCPSANDBOX_RIGHT_WRITE,
                  kExec = MCPSANDBOX_RIGHT_EXEC, kRun = MCPSANDBOX_RIGHT_RUN;
  std::vector<LsmPathRule> rules;
  // Without filesystem.exec, whatever may be mapped for execution may be run.
  __u32 run = plan.programs ? 0 : kRun;
  for (const PathGrant& grant : plan.paths) {
    __u32 rights = kRead | kExec | run;
    if (grant.kind == PathGrant::Kind::kReadWrite) rights = kRead | kWrite;
    if (grant.kind == PathGrant::Kind::kOverlay) rights = kRead | kWrite | kExec | run;
    bool user = is_user_path(grant);
    rules.push_back({grant.path, rights, false, user});
  }
  for (const char* node : {"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom"}) {
    rules.push_back({node, kRead | kWrite});
  }
  if (!own_mounts) rules.push_back({"/proc", kRead});
  for (const std::string& path : plan.call_scoped_paths) rules.push_back({path, 0, true});
  if (plan.programs) {
    for (const std::string& path : *plan.programs) rules.push_back({path, kRead | kExec | kRun});
  }
  return rules;
}

}  // namespace

Result<LsmPolicy::SandboxRegistration> LsmPolicy::add_sandbox(int cgroup_fd, const Plan& plan,
                                                              bool own_mounts) const {
  struct stat info {};
  if (::fstat(cgroup_fd, &info) < 0) return failure("stat cgroup", errno);
  uint64_t id = info.st_ino;  // a cgroup v2 id is its directory's inode number
  auto owner = LsmSandboxOwner::claim(id, cgroup_fd);
  if (!owner) return owner.error();
  SandboxRegistration registration(::dup(sandboxes_.get()), ::dup(inodes_.get()), id);
  registration.owner_.emplace(std::move(*owner));
  // The sandbox's own ring buffer of denials, found by the programs through its cgroup id.
  registration.denial_ring_.reset(bpf_map_create(BPF_MAP_TYPE_RINGBUF, "mcpsandbox_deny", 0, 0,
                                                 MCPSANDBOX_DENIAL_RING_BYTES, nullptr));
  if (!registration.denial_ring_.valid()) return failure("create the denial ring buffer", errno);
  int ring_fd = registration.denial_ring_.get();
  if (bpf_map_update_elem(denials_.get(), &id, &ring_fd, BPF_ANY)) {
    return failure("register the denial ring buffer", errno);
  }
  registration.denials_outer_.reset(::dup(denials_.get()));
  registration.baseline_ = rules_for(plan, own_mounts);
  for (const LsmPathRule& rule : registration.baseline_) {
    struct stat target {};
    if (::stat(rule.path.c_str(), &target) < 0) continue;  // optional paths may be missing
    mcpsandbox_inode_key key{};
    key.cgroup_id = id;
    // The kernel's dev_t packs major and minor differently from userspace's.
    key.dev = (major(target.st_dev) << 20) | minor(target.st_dev);
    key.ino = target.st_ino;
    __u32 rights = rule.rights;
    // Two grants of one inode (a path granted twice): the union of their rights; but a wall
    // (a call-scoped path) takes every right away, even on a path granted as such.
    __u32 existing = 0;
    if (!rule.wall && bpf_map_lookup_elem(inodes_.get(), &key, &existing) == 0) rights |= existing;
    if (bpf_map_update_elem(inodes_.get(), &key, &rights, BPF_ANY)) {
      return failure("add the rule for " + rule.path, errno);
    }
    std::array<uint8_t, 24> raw;
    std::memcpy(raw.data(), &key, sizeof key);
    registration.inode_keys_.push_back(raw);
  }
  registration.flags_ = own_mounts ? MCPSANDBOX_SANDBOX_OWN_MOUNTS : 0;
  if (plan.deny_write_execute) registration.flags_ |= MCPSANDBOX_SANDBOX_DENY_WX;
  if (plan.programs) registration.flags_ |= MCPSANDBOX_SANDBOX_RUN_GRANTED;
  if (!plan.call_scoped_paths.empty()) registration.flags_ |= MCPSANDBOX_SANDBOX_NAMED_GRANTS;
  registration.named_.reset(::dup(named_.get()));
  if (!plan.isolate_network) {
    if (plan.egress.size() > MCPSANDBOX_MAX_EGRESS_RULES) return failure("egress rules", E2BIG);
    registration.egress_.reset(::dup(egress_.get()));
    for (__u32 i = 0; i < plan.egress.size(); ++i) {
      mcpsandbox_egress_key key{id, i, 0};
      mcpsandbox_egress_rule rule = to_bpf_rule(plan.egress[i]);
      if (bpf_map_update_elem(egress_.get(), &key, &rule, BPF_ANY)) {
        return failure("add egress rule", errno);
      }
      registration.egress_keys_.push_back(key);
    }
    const auto& binds = plan.landlock.tcp_bind_ports;
    if (binds.size() > MCPSANDBOX_MAX_EGRESS_RULES) return failure("bind ports", E2BIG);
    for (__u32 i = 0; i < binds.size(); ++i) {
      mcpsandbox_egress_key key{id, MCPSANDBOX_BIND_INDEX_BASE + i, 0};
      mcpsandbox_egress_rule rule{};
      rule.port = binds[i];
      if (bpf_map_update_elem(egress_.get(), &key, &rule, BPF_ANY)) {
        return failure("add bind port", errno);
      }
      registration.egress_keys_.push_back(key);
    }
    registration.flags_ |= MCPSANDBOX_SANDBOX_HOST_NETWORK |
                           (static_cast<__u32>(plan.egress.size()) << MCPSANDBOX_SANDBOX_RULES_SHIFT) |
                           (static_cast<__u32>(binds.size()) << MCPSANDBOX_SANDBOX_BINDS_SHIFT);
  }
  // The sandbox entry last: until it exists, none of the rules apply to anyone.
  if (bpf_map_update_elem(sandboxes_.get(), &id, &registration.flags_, BPF_ANY)) {
    return failure("add sandbox", errno);
  }
  return registration;
}

LsmPolicy::SandboxRegistration::SandboxRegistration(int sandboxes_fd, int inodes_fd,
                                                    uint64_t cgroup_id)
    : sandboxes_(sandboxes_fd), inodes_(inodes_fd), cgroup_id_(cgroup_id) {}

LsmPolicy::SandboxRegistration::SandboxRegistration(SandboxRegistration&& other) noexcept
    : sandboxes_(std::move(other.sandboxes_)),
      inodes_(std::move(other.inodes_)),
      denials_outer_(std::move(other.denials_outer_)),
      denial_ring_(std::move(other.denial_ring_)),
      denial_reader_(std::exchange(other.denial_reader_, nullptr)),
      cgroup_id_(other.cgroup_id_),
      flags_(other.flags_),
      inode_keys_(std::move(other.inode_keys_)),
      egress_(std::move(other.egress_)),
      egress_keys_(std::move(other.egress_keys_)),
      named_(std::move(other.named_)),
      baseline_(std::move(other.baseline_)),
      owner_(std::move(other.owner_)) {}

LsmCallGrants LsmPolicy::SandboxRegistration::call_grants() const {
  return LsmCallGrants(UniqueFd(::dup(inodes_.get())), UniqueFd(::dup(named_.get())), cgroup_id_,
                       baseline_, flags_ & MCPSANDBOX_SANDBOX_RUN_GRANTED);
}

LsmDestinationGrants LsmPolicy::SandboxRegistration::destination_grants() const {
  return LsmDestinationGrants(UniqueFd(::dup(egress_.get())), cgroup_id_);
}

void LsmPolicy::SandboxRegistration::mark_started() const {
  __u32 flags = flags_ | MCPSANDBOX_SANDBOX_STARTED;
  bpf_map_update_elem(sandboxes_.get(), &cgroup_id_, &flags, BPF_EXIST);
}

namespace {

const char* hook_name(__u32 hook) {
  switch (hook) {
    case MCPSANDBOX_HOOK_FILE_OPEN: return "open";
    case MCPSANDBOX_HOOK_EXEC: return "exec";
    case MCPSANDBOX_HOOK_MMAP_EXEC: return "executable mapping";
    case MCPSANDBOX_HOOK_DIR_CHANGE: return "change in directory";
    case MCPSANDBOX_HOOK_SIGNAL: return "signal to pid";
    case MCPSANDBOX_HOOK_PTRACE: return "ptrace of pid";
    case MCPSANDBOX_HOOK_MOUNT: return "mount";
    case MCPSANDBOX_HOOK_BPF: return "bpf()";
    case MCPSANDBOX_HOOK_WX_MEMORY: return "writable+executable memory";
    case MCPSANDBOX_HOOK_CONNECT: return "connect to port";
    case MCPSANDBOX_HOOK_BIND: return "bind to port";
    case MCPSANDBOX_HOOK_SET_ID: return "set-id bit or file capability";
  }
  return "?";
}

int report_denial(void* context, void* data, size_t size) {
  if (size < sizeof(mcpsandbox_denial)) return 0;
  const auto* event = static_cast<const mcpsandbox_denial*>(data);
  Violation violation;
  violation.layer = "L5 BPF LSM";
  violation.action = hook_name(event->hook);
  if (event->target) violation.target = std::to_string(event->target);
  if (event->path[0]) violation.target = std::string(event->path, strnlen(event->path, sizeof event->path));
  if (event->ino) violation.detail = "(inode " + std::to_string(event->ino) + ")";
  if (event->needed) {
    violation.detail += std::string(violation.detail.empty() ? "" : " ") + "for " +
                        (event->needed & MCPSANDBOX_RIGHT_READ ? "r" : "") +
                        (event->needed & MCPSANDBOX_RIGHT_WRITE ? "w" : "") +
                        (event->needed & MCPSANDBOX_RIGHT_EXEC ? "x" : "");
  }
  violation.pid = event->pid;
  violation.comm.assign(event->comm, strnlen(event->comm, sizeof event->comm));
  static_cast<ViolationLog*>(context)->report(violation);
  return 0;
}

}  // namespace

Result<void> LsmPolicy::SandboxRegistration::watch_denials(EventLoop& loop, ViolationLog& violations) {
  denial_reader_ = ring_buffer__new(denial_ring_.get(), report_denial, &violations, nullptr);
  if (!denial_reader_) return failure("read the denial ring buffer", errno);
  return loop.watch(ring_buffer__epoll_fd(denial_reader_), EPOLLIN,
                    [this](uint32_t) { ring_buffer__consume(denial_reader_); });
}

void LsmPolicy::SandboxRegistration::drain_denials() {
  if (denial_reader_) ring_buffer__consume(denial_reader_);
}

LsmPolicy::SandboxRegistration::~SandboxRegistration() {
  if (denial_reader_) ring_buffer__free(denial_reader_);
  if (denials_outer_.valid()) bpf_map_delete_elem(denials_outer_.get(), &cgroup_id_);
  if (sandboxes_.valid()) bpf_map_delete_elem(sandboxes_.get(), &cgroup_id_);
  if (inodes_.valid()) {
    for (auto& key : inode_keys_) bpf_map_delete_elem(inodes_.get(), key.data());
  }
  if (egress_.valid()) {
    for (auto& key : egress_keys_) bpf_map_delete_elem(egress_.get(), &key);
  }
}

namespace {

const std::string kVerdictFile = std::string(kRunDir) + "/bpf-lsm-unavailable";

std::string boot_id() {
  std::ifstream file("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(file, id);
  return id;
}

}  // namespace

FeatureProbe LsmPolicy::probe_for_launch() {
  if (::access(pin("sandboxes").c_str(), F_OK) == 0) {
    return {true, "pinned programs (proven when they were pinned, this boot)"};
  }
  std::string boot = boot_id();
  std::ifstream cached(kVerdictFile);
  std::string cached_boot, reason;
  if (std::getline(cached, cached_boot) && cached_boot == boot && std::getline(cached, reason)) {
    return {false, reason + " (remembered for this boot; `mcpsandbox doctor` probes afresh)"};
  }
  bool transient = false;
  FeatureProbe result = probe(&transient);
  if (!result.available && !transient && !boot.empty()) {
    ::mkdir(kRunDir, 0700);
    std::ofstream(kVerdictFile) << boot << "\n" << result.detail << "\n";
  }
  return result;
}

int LsmPolicy::live_sandboxes() {
  UniqueFd map(bpf_obj_get(pin("sandboxes").c_str()));
  if (!map.valid()) return -1;
  return static_cast<int>(keys_of<uint64_t>(map.get()).size());
}

FeatureProbe LsmPolicy::probe() { return probe(nullptr); }

FeatureProbe LsmPolicy::probe(bool* transient) {
  auto policy = attach(transient);
  if (!policy) return {false, policy.error().message};
  auto cgroup = ScratchCgroup::create("lsm-probe");
  if (!cgroup) return {false, cgroup.error().message};
  Plan nothing_granted;
  auto registered = policy->add_sandbox(cgroup->fd(), nothing_granted, true);
  if (!registered) return {false, registered.error().message};
  pid_t parent = ::getpid();
  auto refused = run_in_cgroup(cgroup->fd(), [parent] { return ::kill(parent, 0) < 0 && errno == EPERM; });
  if (!refused) return {false, refused.error().message};
  if (!*refused) {
    return {false, "programs attach but do not enforce (a signal out of the sandbox was allowed)"};
  }
  return {true, "file_open, bprm_check_security, mmap_file, path_*, task_kill, "
                "ptrace_access_check, sb_mount, bpf, file_mprotect (trigger passed)"};
}

}  // namespace mcpsandbox
