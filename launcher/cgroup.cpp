#include "launcher/cgroup.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "launcher/sandbox/hygiene.h"

namespace mcpsandbox {
namespace {

constexpr const char* kRoot = "/sys/fs/cgroup";

bool write_text(const std::string& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  return ok;
}

std::string read_text(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

bool is_cgroup2_root() { return ::access((std::string(kRoot) + "/cgroup.controllers").c_str(), F_OK) == 0; }

// The directory of this process's cgroup v2 ("0::/user.slice/...").
std::string own_v2_cgroup() {
  std::istringstream lines(read_text("/proc/self/cgroup"));
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("0::", 0) == 0) return std::string(kRoot) + line.substr(3);
  }
  return {};
}

bool has_controllers(const std::string& dir) {
  std::string controllers = read_text(dir + "/cgroup.controllers");
  return controllers.find("memory") != std::string::npos &&
         controllers.find("pids") != std::string::npos;
}

std::string cpu_detail(const ResourceLimits& limits) {
  if (!limits.cpu_millis) return {};
  char text[32];
  std::snprintf(text, sizeof text, ", cpu %.2f cores", *limits.cpu_millis / 1000.0);
  return text;
}

std::string sandbox_name() { return "mcpsandbox-" + std::to_string(::getpid()); }

}  // namespace

// Where the cgroup v2 hierarchy is mounted: the root on pure v2 hosts, "unified" on hybrid ones.
std::string cgroup2_mount() {
  for (std::string path : {std::string(kRoot), std::string(kRoot) + "/unified"}) {
    struct statfs info {};
    if (::statfs(path.c_str(), &info) == 0 && info.f_type == CGROUP2_SUPER_MAGIC) return path;
  }
  return {};
}

Result<ScratchCgroup> ScratchCgroup::create(const std::string& label) {
  std::string root = cgroup2_mount();
  if (root.empty()) return Error{"no cgroup v2 hierarchy is mounted"};
  ::mkdir((root + "/mcpsandbox").c_str(), 0755);
  ScratchCgroup cgroup;
  cgroup.path_ = root + "/mcpsandbox/" + label + "-" + std::to_string(::getpid());
  int made = ::mkdir(cgroup.path_.c_str(), 0755);
  if (made < 0 && errno == EEXIST) {
    // Our pid is unique among live processes: the directory is left over from a dead one whose
    // pid we now have (killed before its destructor ran). Remove it; if it still holds exiting
    // tasks, take a name of our own instead.
    ::rmdir(cgroup.path_.c_str());
    made = ::mkdir(cgroup.path_.c_str(), 0755);
    for (int attempt = 1; made < 0 && errno == EEXIST && attempt < 100; ++attempt) {
      cgroup.path_ = root + "/mcpsandbox/" + label + "-" + std::to_string(::getpid()) + "." + std::to_string(attempt);
      made = ::mkdir(cgroup.path_.c_str(), 0755);
    }
  }
  if (made < 0) {
    std::string why = std::strerror(errno);
    cgroup.path_.clear();
    return Error{"cgroup v2: cannot create a cgroup under " + root + "/mcpsandbox: " + why};
  }
  cgroup.fd_.reset(::open(cgroup.path_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!cgroup.fd_.valid()) return Error{"cgroup v2: open " + cgroup.path_};
  return cgroup;
}

Result<bool> run_in_cgroup(int cgroup_fd, const std::function<bool()>& check) {
  clone_args args{};
  args.flags = CLONE_INTO_CGROUP;
  args.cgroup = static_cast<uint64_t>(cgroup_fd);
  args.exit_signal = SIGCHLD;
  long pid = ::syscall(SYS_clone3, &args, sizeof args);
  if (pid < 0) return Error{std::string("clone3 into the probe cgroup: ") + std::strerror(errno)};
  if (pid == 0) ::_exit(check() ? 0 : 1);
  int status = 0;
  ::waitpid(static_cast<pid_t>(pid), &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

ScratchCgroup::~ScratchCgroup() {
  fd_.reset();
  if (path_.empty()) return;
  // Tasks that have just exited can keep the cgroup busy for a moment (EBUSY).
  for (int attempt = 0; attempt < 50 && ::rmdir(path_.c_str()) < 0 && errno == EBUSY; ++attempt) {
    ::usleep(2000);
  }
}

FeatureProbe CgroupLimiter::probe() {
  if (is_cgroup2_root()) {
    std::string own = own_v2_cgroup();
    if (::access(own.c_str(), W_OK) == 0 && has_controllers(own)) {
      return {true, "cgroup v2 under " + own};
    }
    return {false, "cgroup v2: no writable cgroup with memory and pids controllers (run via "
                   "systemd-run --user --scope -p Delegate=yes, or as root)"};
  }
  for (const char* controller : {"memory", "pids"}) {
    if (::access((std::string(kRoot) + "/" + controller).c_str(), W_OK) != 0) {
      return {false, std::string("cgroup v1 ") + controller + " hierarchy not writable (needs root)"};
    }
  }
  return {true, "cgroup v1 memory and pids"};
}

namespace {

// Creates `dir`; one left by an earlier session whose pid ours now reuses (its rmdir lost a race
// with exiting tasks) is removed first if nothing runs in it, rather than reused with its old
// limits.
Result<void> make_fresh_cgroup(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0755) == 0) return {};
  if (errno == EEXIST && ::rmdir(dir.c_str()) == 0 && ::mkdir(dir.c_str(), 0755) == 0) return {};
  return Error{"cgroup: mkdir " + dir + ": " + std::strerror(errno)};
}

// Removes the cgroups of sessions whose mcpsandbox is gone (killed with SIGKILL, so no
// destructor ran). Only empty ones go: rmdir refuses a cgroup with tasks in it.
void sweep_stale_cgroups(const std::string& parent) {
  DIR* listing = ::opendir(parent.c_str());
  if (!listing) return;
  while (dirent* entry = ::readdir(listing)) {
    std::string_view name = entry->d_name;
    if (name.rfind("mcpsandbox-", 0) != 0) continue;
    pid_t owner = static_cast<pid_t>(std::atoi(entry->d_name + 11));
    if (owner > 0 && ::kill(owner, 0) < 0 && errno == ESRCH) {
      ::rmdir((parent + "/" + std::string(name)).c_str());
    }
  }
  ::closedir(listing);
}

bool lists_controllers(const std::string& file) {
  std::string listed = read_text(file);
  return listed.find("memory") != std::string::npos && listed.find("pids") != std::string::npos;
}

// Makes the memory and pids controllers available to children of `own`, this process's cgroup.
// The kernel allows that only in a cgroup without processes of its own (the root excepted): a
// delegated cgroup (systemd's Delegate=yes, an ordinary user's) that holds just this launcher
// gets a leaf for the launcher first. One that holds other processes too (a shell's) cannot be
// used: the error says how to get one.
Result<void> enable_child_limits(const std::string& own) {
  if (lists_controllers(own + "/cgroup.subtree_control")) return {};
  if (write_text(own + "/cgroup.subtree_control", "+memory +pids")) return {};
  if (errno != EBUSY) {
    return Error{"cgroup v2: cannot enable memory and pids for children of " + own + ": " + std::strerror(errno)};
  }
  std::string procs = read_text(own + "/cgroup.procs");
  if (std::stol(procs.empty() ? "0" : procs) != ::getpid() || procs.find('\n') + 1 != procs.size()) {
    return Error{"cgroup v2: " + own + " holds other processes besides mcpsandbox; run it in a cgroup of "
                 "its own (systemd-run --user --scope -p Delegate=yes mcpsandbox ...)"};
  }
  std::string leaf = own + "/" + sandbox_name() + ".launcher";
  if (auto made = make_fresh_cgroup(leaf); !made) return made.error();
  if (!write_text(leaf + "/cgroup.procs", std::to_string(::getpid())) ||
      !write_text(own + "/cgroup.subtree_control", "+memory +pids")) {
    return Error{"cgroup v2: cannot move mcpsandbox into " + leaf + " to enable limits beneath " + own + ": " +
                 std::strerror(errno)};
  }
  return {};
}

// Removes `dir` once its last tasks are gone: they were killed, but exiting takes a moment.
void remove_cgroup(const std::string& dir) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    if (::rmdir(dir.c_str()) == 0 || errno != EBUSY) return;
    ::usleep(10000);
  }
}

}  // namespace

Result<CgroupLimiter> CgroupLimiter::create(const ResourceLimits& limits) {
  CgroupLimiter limiter;
  uint64_t memory = limits.memory_bytes.value_or(kDefaultMemoryBytes);
  uint64_t processes = limits.max_processes.value_or(kDefaultMaxProcesses);
  if (is_cgroup2_root()) {
    // A child of our own cgroup, holding only the sandbox.
    std::string own = own_v2_cgroup();
    sweep_stale_cgroups(own);
    if (auto enabled = enable_child_limits(own); !enabled) return enabled.error();
    std::string dir = own + "/" + sandbox_name();
    if (auto made = make_fresh_cgroup(dir); !made) return made.error();
    limiter.directories_.push_back(dir);
    if (!write_text(dir + "/memory.max", std::to_string(memory)) ||
        !write_text(dir + "/memory.swap.max", "0") ||
        !write_text(dir + "/pids.max", std::to_string(processes))) {
      return Error{"cgroup: cannot set limits in " + dir + ": " + std::strerror(errno)};
    }
    if (limits.cpu_millis &&
        !write_text(dir + "/cpu.max", std::to_string(*limits.cpu_millis * 100) + " 100000")) {
      return Error{"cgroup: cannot set cpu.max in " + dir + " (is the cpu controller enabled?)"};
    }
    limiter.v2_dir_.reset(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    limiter.detail_ = "v2 memory " + std::to_string(memory >> 20) + " MiB, pids " +
                      std::to_string(processes) + cpu_detail(limits);
    return limiter;
  }
  std::vector<std::string> controllers = {"memory", "pids"};
  if (limits.cpu_millis) controllers.push_back("cpu");
  for (const std::string& controller : controllers) {
    std::string parent = std::string(kRoot) + "/" + controller + "/mcpsandbox";
    ::mkdir(parent.c_str(), 0755);
    sweep_stale_cgroups(parent);
    std::string dir = parent + "/" + sandbox_name();
    if (auto made = make_fresh_cgroup(dir); !made) return made.error();
    limiter.directories_.push_back(dir);
    bool ok = controller == "memory" ? write_text(dir + "/memory.limit_in_bytes", std::to_string(memory))
              : controller == "pids"
                  ? write_text(dir + "/pids.max", std::to_string(processes))
                  : write_text(dir + "/cpu.cfs_period_us", "100000") &&
                        write_text(dir + "/cpu.cfs_quota_us", std::to_string(*limits.cpu_millis * 100));
    if (!ok) return Error{"cgroup: cannot set limits in " + dir + ": " + std::strerror(errno)};
  }
  limiter.detail_ = "v1 memory " + std::to_string(memory >> 20) + " MiB, pids " +
                    std::to_string(processes) + cpu_detail(limits);
  return limiter;
}

Result<void> CgroupLimiter::add(pid_t pid) const {
  if (v2_dir_.valid()) return {};
  for (const std::string& dir : directories_) {
    if (!write_text(dir + "/cgroup.procs", std::to_string(pid))) {
      return Error{"cgroup: cannot move the sandbox into " + dir + ": " + std::strerror(errno)};
    }
  }
  return {};
}

CgroupLimiter::~CgroupLimiter() {
  // The directories go once empty; every process in them is dead by the time we are.
  for (auto it = directories_.rbegin(); it != directories_.rend(); ++it) remove_cgroup(*it);
}

}  // namespace mcpsandbox
