#include "launcher/lsm_policy.h"

#include <bpf/bpf.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

#include "launcher/cgroup.h"

#include <linux/types.h>
extern "C" {
#include "mcpsandbox_types.h"
}
#include "lsm_policy.skel.h"

namespace mcpsandbox {
namespace {

constexpr const char* kPinDir = "/sys/fs/bpf/mcpsandbox";
const std::string kMapPin = std::string(kPinDir) + "/lsm_sandboxes";

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
  ::mkdir(kPinDir, 0700);
  bpf_link* links[] = {skeleton->links.mcpsandbox_task_kill,
                       skeleton->links.mcpsandbox_ptrace_access_check,
                       skeleton->links.mcpsandbox_sb_mount, skeleton->links.mcpsandbox_bpf,
                       skeleton->links.mcpsandbox_file_mprotect};
  const char* names[] = {"task_kill", "ptrace_access_check", "sb_mount", "bpf", "file_mprotect"};
  for (size_t i = 0; i < std::size(links); ++i) {
    std::string pin = std::string(kPinDir) + "/lsm_" + names[i];
    if (int rc = bpf_link__pin(links[i], pin.c_str()); rc) return failure("pin " + pin, -rc);
  }
  if (int rc = bpf_map__pin(skeleton->maps.mcpsandbox_sandboxes, kMapPin.c_str()); rc) {
    return failure("pin the sandbox map", -rc);
  }
  return {};
}

}  // namespace

Result<LsmPolicy> LsmPolicy::attach() {
  int map = bpf_obj_get(kMapPin.c_str());
  if (map < 0) {
    if (auto loaded = load_and_pin(); !loaded) return loaded.error();
    map = bpf_obj_get(kMapPin.c_str());
    if (map < 0) return failure("open the pinned map", errno);
  }
  return LsmPolicy(UniqueFd(map));
}

Result<LsmPolicy::SandboxRegistration> LsmPolicy::add_sandbox(int cgroup_fd) const {
  struct stat info {};
  if (::fstat(cgroup_fd, &info) < 0) return failure("stat cgroup", errno);
  uint64_t id = info.st_ino;  // a cgroup v2 id is its directory's inode number
  __u32 present = 1;
  if (bpf_map_update_elem(map_.get(), &id, &present, BPF_ANY)) return failure("add sandbox", errno);
  return SandboxRegistration(::dup(map_.get()), id);
}

LsmPolicy::SandboxRegistration::SandboxRegistration(int map_fd, uint64_t cgroup_id)
    : map_(map_fd), cgroup_id_(cgroup_id) {}

LsmPolicy::SandboxRegistration::SandboxRegistration(SandboxRegistration&& other) noexcept
    : map_(std::move(other.map_)), cgroup_id_(other.cgroup_id_) {}

LsmPolicy::SandboxRegistration::~SandboxRegistration() {
  if (map_.valid()) bpf_map_delete_elem(map_.get(), &cgroup_id_);
}

namespace {

constexpr const char* kVerdictDir = "/run/mcpsandbox";
const std::string kVerdictFile = std::string(kVerdictDir) + "/bpf-lsm-unavailable";

std::string boot_id() {
  std::ifstream file("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(file, id);
  return id;
}

}  // namespace

FeatureProbe LsmPolicy::probe_for_launch() {
  if (::access(kMapPin.c_str(), F_OK) == 0) {
    return {true, "pinned programs (proven when they were pinned, this boot)"};
  }
  std::string boot = boot_id();
  std::ifstream cached(kVerdictFile);
  std::string cached_boot, reason;
  if (std::getline(cached, cached_boot) && cached_boot == boot && std::getline(cached, reason)) {
    return {false, reason + " (remembered for this boot; `mcpsandbox doctor` probes afresh)"};
  }
  FeatureProbe result = probe();
  if (!result.available && !boot.empty()) {
    ::mkdir(kVerdictDir, 0700);
    std::ofstream(kVerdictFile) << boot << "\n" << result.detail << "\n";
  }
  return result;
}

FeatureProbe LsmPolicy::probe() {
  auto policy = attach();
  if (!policy) return {false, policy.error().message};
  auto cgroup = ScratchCgroup::create("lsm-probe");
  if (!cgroup) return {false, cgroup.error().message};
  auto registered = policy->add_sandbox(cgroup->fd());
  if (!registered) return {false, registered.error().message};
  clone_args args{};
  args.flags = CLONE_INTO_CGROUP;
  args.cgroup = static_cast<uint64_t>(cgroup->fd());
  args.exit_signal = SIGCHLD;
  pid_t parent = ::getpid();
  long pid = ::syscall(SYS_clone3, &args, sizeof args);
  if (pid < 0) return {false, std::string("clone3 into the probe cgroup: ") + std::strerror(errno)};
  if (pid == 0) ::_exit(::kill(parent, 0) < 0 && errno == EPERM ? 0 : 1);
  int status = 0;
  ::waitpid(static_cast<pid_t>(pid), &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return {false, "programs attach but do not enforce (a signal out of the sandbox was allowed)"};
  }
  return {true, "task_kill, ptrace_access_check, sb_mount, bpf, file_mprotect (trigger passed)"};
}

}  // namespace mcpsandbox
