#include "launcher/lsm_sandbox_owners.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace mcpsandbox {
namespace {

std::string owners_dir() { return std::string(kRunDir) + "/sandboxes"; }
std::string owner_file(uint64_t cgroup_id) { return owners_dir() + "/" + std::to_string(cgroup_id); }

// Field 22 of /proc/PID/stat: when the process started, in clock ticks since boot. With the pid
// it names one process for the whole boot (a pid alone is reused).
std::string start_time(pid_t pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  size_t close = stat.rfind(')');  // the command name may hold blanks and parentheses
  if (close == std::string::npos) return "";
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  for (int index = 3; index <= 22 && fields >> field; ++index) {
    if (index == 22) return field;
  }
  return "";
}

}  // namespace

Result<LsmSandboxOwner> LsmSandboxOwner::claim(uint64_t cgroup_id, int cgroup_fd) {
  ::mkdir(kRunDir, 0700);
  ::mkdir(owners_dir().c_str(), 0700);
  char cgroup[4096];
  ssize_t length = ::readlink(("/proc/self/fd/" + std::to_string(cgroup_fd)).c_str(), cgroup, sizeof cgroup - 1);
  if (length < 0) return Error{std::string("BPF LSM: find the sandbox's cgroup: ") + std::strerror(errno)};
  std::string file = owner_file(cgroup_id);
  std::ofstream out(file, std::ios::trunc);
  out << ::getpid() << ' ' << start_time(::getpid()) << '\n' << std::string(cgroup, length) << '\n';
  out.close();
  if (!out) return Error{"BPF LSM: cannot write " + file};
  return LsmSandboxOwner(std::move(file));
}

LsmSandboxOwner::LsmSandboxOwner(LsmSandboxOwner&& other) noexcept : file_(std::exchange(other.file_, {})) {}

LsmSandboxOwner::~LsmSandboxOwner() {
  if (!file_.empty()) ::unlink(file_.c_str());
}

std::vector<StaleSandbox> stale_sandboxes(const std::vector<uint64_t>& registered) {
  std::vector<StaleSandbox> stale;
  for (uint64_t id : registered) {
    std::ifstream file(owner_file(id));
    pid_t pid = 0;
    std::string started, cgroup;
    if (!(file >> pid >> started) || !std::getline(file >> std::ws, cgroup)) continue;  // no owner known
    if (pid > 0 && start_time(pid) == started) continue;  // its launch still runs
    stale.push_back({id, cgroup});
  }
  return stale;
}

void forget_sandbox(uint64_t cgroup_id) { ::unlink(owner_file(cgroup_id).c_str()); }

}  // namespace mcpsandbox
