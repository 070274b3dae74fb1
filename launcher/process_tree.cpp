#include "launcher/process_tree.h"

#include <dirent.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

namespace mcpsandbox {
namespace {

std::vector<pid_t> children_of(pid_t pid) {
  std::vector<pid_t> children;
  std::string task_dir = "/proc/" + std::to_string(pid) + "/task";
  DIR* dir = ::opendir(task_dir.c_str());
  if (!dir) return children;
  while (dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    std::ifstream file(task_dir + "/" + entry->d_name + "/children");
    for (pid_t child; file >> child;) children.push_back(child);
  }
  ::closedir(dir);
  return children;
}

}  // namespace

Result<void> ProcessTree::become_subreaper() {
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
    return Error{std::string("prctl(PR_SET_CHILD_SUBREAPER): ") + std::strerror(errno)};
  }
  return {};
}

std::vector<pid_t> ProcessTree::descendants() {
  std::vector<pid_t> all = children_of(::getpid());
  for (size_t i = 0; i < all.size() && all.size() < 100000; ++i) {
    for (pid_t child : children_of(all[i])) all.push_back(child);
  }
  return all;
}

void ProcessTree::signal_all(pid_t server_pid, int signal) {
  ::kill(-server_pid, signal);
  for (pid_t pid : descendants()) ::kill(pid, signal);
}

void ProcessTree::reap_orphans(pid_t keep) {
  for (pid_t pid : children_of(::getpid())) {
    if (pid != keep) ::waitpid(pid, nullptr, WNOHANG);
  }
}

}  // namespace mcpsandbox
