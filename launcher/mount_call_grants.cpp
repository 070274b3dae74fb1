#include "launcher/mount_call_grants.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "launcher/sandbox/kernel_api.h"
#include "profiles/paths.h"

namespace mcpsandbox {
namespace {

enum Op : uint32_t { kMount = 1, kUnmount = 2, kSetWritable = 3 };

struct Request {
  uint32_t op;
  uint32_t flag;  // kMount: a directory; kSetWritable: writable
  char path[4096];
};

constexpr int kMaxAreas = 64;

// ---- The helper, in the sandbox's mount namespace. It runs right after fork() in a process
// that may have had other threads, so it allocates nothing: syscalls and stack buffers only.

int receive(int socket, Request& request, int& fd) {
  char control[CMSG_SPACE(sizeof(int))] = {};
  iovec io{&request, sizeof request};
  msghdr message{};
  message.msg_iov = &io;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof control;
  ssize_t n = ::recvmsg(socket, &message, MSG_CMSG_CLOEXEC);
  if (n <= 0) return -1;
  fd = -1;
  for (cmsghdr* c = CMSG_FIRSTHDR(&message); c; c = CMSG_NXTHDR(&message, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
  }
  request.path[sizeof request.path - 1] = '\0';
  return 0;
}

// Creates `path` (and the directories above it) in the empty tmpfs of its area, through the
// helper's writable handle on that tmpfs: the mount the server sees stays read-only.
// The area `path` lies beneath (its index), and the rest of the path into `relative`.
int area_of(const char* path, const char* const* areas, int count, char (&relative)[4096]) {
  int best = -1;
  size_t best_length = 0;
  for (int i = 0; i < count; ++i) {
    size_t length = std::strlen(areas[i]);
    if (std::strncmp(path, areas[i], length) == 0 && path[length] == '/' && length >= best_length) {
      best = i;
      best_length = length;
    }
  }
  if (best < 0) return -1;
  std::strncpy(relative, path + best_length + 1, sizeof relative - 1);
  relative[sizeof relative - 1] = '\0';
  return best;
}

// After the unmount: the mount point goes from the tmpfs, and the directories made for it
// while empty, so that nothing of an ended call (not even an empty file) stays in view.
void remove_mount_point(const char* path, const char* const* areas, const int* handles, int count) {
  char relative[4096];
  int best = area_of(path, areas, count, relative);
  if (best < 0) return;
  for (size_t length = std::strlen(relative); length > 0;) {
    if (::unlinkat(handles[best], relative, 0) < 0 && ::unlinkat(handles[best], relative, AT_REMOVEDIR) < 0) {
      return;  // in use (another call's mount point) or not empty
    }
    char* slash = std::strrchr(relative, '/');
    if (!slash) return;
    *slash = '\0';
    length = static_cast<size_t>(slash - relative);
  }
}

int make_mount_point(const char* path, bool directory, const char* const* areas, const int* handles, int count) {
  char relative[4096];
  int best = area_of(path, areas, count, relative);
  if (best < 0) return EPERM;
  int dir = ::dup(handles[best]);
  char* component = relative;
  while (dir >= 0) {
    char* slash = std::strchr(component, '/');
    if (!slash) break;
    *slash = '\0';
    if (::mkdirat(dir, component, 0755) < 0 && errno != EEXIST) break;
    int next = kernel::openat2(dir, component, O_PATH | O_DIRECTORY | O_CLOEXEC, 0,
                               RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
    ::close(dir);
    dir = next;
    component = slash + 1;
  }
  if (dir < 0) return errno;
  int rc = 0;
  if (directory) {
    if (::mkdirat(dir, component, 0755) < 0 && errno != EEXIST) rc = errno;
  } else {
    int file = ::openat(dir, component, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (file < 0 && errno != EEXIST) rc = errno;
    if (file >= 0) ::close(file);
  }
  ::close(dir);
  return rc;
}

int carry_out(const Request& request, int fd, const char* const* areas, const int* handles, int count) {
  switch (request.op) {
    case kMount: {
      int point = kernel::openat2(AT_FDCWD, request.path, O_PATH | O_CLOEXEC, 0, RESOLVE_NO_SYMLINKS);
      if (point < 0 && errno == ENOENT) {
        if (int rc = make_mount_point(request.path, request.flag, areas, handles, count)) return rc;
        point = kernel::openat2(AT_FDCWD, request.path, O_PATH | O_CLOEXEC, 0, RESOLVE_NO_SYMLINKS);
      }
      if (point < 0) return errno;
      int rc = kernel::move_mount(fd, "", point, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0 ? errno : 0;
      ::close(point);
      return rc;
    }
    case kUnmount: {
      int rc = ::umount2(request.path, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 ? errno : 0;
      if (rc == 0) remove_mount_point(request.path, areas, handles, count);
      return rc;
    }
    case kSetWritable: {
      int mount = kernel::open_tree(AT_FDCWD, request.path, OPEN_TREE_CLOEXEC | AT_SYMLINK_NOFOLLOW);
      if (mount < 0) return errno;
      mount_attr attr{};
      (request.flag ? attr.attr_clr : attr.attr_set) = MOUNT_ATTR_RDONLY;
      int rc = kernel::mount_setattr(mount, "", AT_EMPTY_PATH, &attr) < 0 ? errno : 0;
      ::close(mount);
      return rc;
    }
  }
  return EINVAL;
}

[[noreturn]] void helper_main(int socket, int namespace_fd, const char* const* areas, int count) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  int handles[kMaxAreas];
  int status = ::setns(namespace_fd, CLONE_NEWNS) < 0 ? errno : 0;
  ::close(namespace_fd);
  for (int i = 0; status == 0 && i < count; ++i) {
    // A writable handle on the area's empty tmpfs, for creating mount points in it.
    int area = kernel::openat2(AT_FDCWD, areas[i], O_PATH | O_DIRECTORY | O_CLOEXEC, 0, RESOLVE_NO_SYMLINKS);
    handles[i] = area < 0 ? -1 : kernel::open_tree(area, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
    if (handles[i] < 0) {
      status = errno;
      break;
    }
    ::close(area);
    mount_attr writable{};
    writable.attr_clr = MOUNT_ATTR_RDONLY;
    if (kernel::mount_setattr(handles[i], "", AT_EMPTY_PATH, &writable) < 0) status = errno;
  }
  (void)!::write(socket, &status, sizeof status);
  if (status != 0) ::_exit(1);
  Request request;
  int fd;
  while (receive(socket, request, fd) == 0) {
    int rc = carry_out(request, fd, areas, handles, count);
    if (fd >= 0) ::close(fd);
    if (::write(socket, &rc, sizeof rc) != sizeof rc) break;
  }
  ::_exit(0);
}

}  // namespace

std::vector<MountCallGrants::Area> MountCallGrants::areas_for(const Plan& plan) {
  std::vector<Area> areas;
  for (const std::string& path : plan.call_scoped_paths) {
    const PathGrant* nearest = nullptr;
    for (const PathGrant& grant : plan.paths) {
      bool user = is_user_path(grant);
      if (user && path_is_under(path, grant.path) && (!nearest || grant.path.size() >= nearest->path.size())) {
        nearest = &grant;
      }
    }
    areas.push_back({path, nearest && nearest->kind == PathGrant::Kind::kReadWrite});
  }
  return areas;
}

Result<MountCallGrants> MountCallGrants::start(pid_t sandbox_pid, std::vector<Area> areas,
                                               const Logger& logger) {
  if (areas.size() > kMaxAreas) return Error{"per-call mounts: more than 64 call-scoped paths"};
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0) {
    return Error{std::string("per-call mounts: socketpair: ") + std::strerror(errno)};
  }
  UniqueFd mine(pair[0]), theirs(pair[1]);
  std::string ns = "/proc/" + std::to_string(sandbox_pid) + "/ns/mnt";
  UniqueFd namespace_fd(::open(ns.c_str(), O_RDONLY | O_CLOEXEC));
  if (!namespace_fd.valid()) return Error{"per-call mounts: open " + ns + ": " + std::strerror(errno)};
  std::vector<const char*> names;
  for (const Area& area : areas) names.push_back(area.path.c_str());
  pid_t helper = ::fork();
  if (helper < 0) return Error{std::string("per-call mounts: fork: ") + std::strerror(errno)};
  if (helper == 0) {
    // Only the socket and the namespace stay open (the client's pipes must not linger here).
    int socket = ::fcntl(theirs.get(), F_DUPFD_CLOEXEC, 64), nsfd = ::fcntl(namespace_fd.get(), F_DUPFD_CLOEXEC, 64);
    int null = ::open("/dev/null", O_RDWR);
    ::dup2(null, STDIN_FILENO);
    ::dup2(null, STDOUT_FILENO);
    unsigned low = static_cast<unsigned>(std::min(socket, nsfd)), high = static_cast<unsigned>(std::max(socket, nsfd));
    ::close_range(3, low - 1, 0);
    if (high > low + 1) ::close_range(low + 1, high - 1, 0);
    ::close_range(high + 1, ~0u, 0);
    helper_main(socket, nsfd, names.data(), static_cast<int>(names.size()));
  }
  theirs.reset();
  MountCallGrants grants(helper, std::move(mine), std::move(areas), logger);
  int status = 0;
  if (::read(grants.socket_.get(), &status, sizeof status) != sizeof status) status = EPIPE;
  if (status != 0) {
    return Error{std::string("per-call mounts: cannot enter the sandbox's mount namespace: ") + std::strerror(status)};
  }
  return grants;
}

MountCallGrants::MountCallGrants(MountCallGrants&& other) noexcept
    : helper_(std::exchange(other.helper_, -1)),
      socket_(std::move(other.socket_)),
      areas_(std::move(other.areas_)),
      logger_(other.logger_),
      binds_(std::move(other.binds_)),
      by_call_(std::move(other.by_call_)),
      warned_exec_(other.warned_exec_),
      helper_gone_(other.helper_gone_) {}

MountCallGrants::~MountCallGrants() {
  std::vector<std::string> calls;
  for (const auto& [call, paths] : by_call_) calls.push_back(call);
  for (const auto& call : calls) release(call);
  socket_.reset();  // the helper's recvmsg sees the end and it exits
  if (helper_ > 0) {
    ::kill(helper_, SIGKILL);
    ::waitpid(helper_, nullptr, 0);
  }
}

Result<void> MountCallGrants::ask(int op, const std::string& path, bool flag, int fd) {
  Request request{};
  request.op = static_cast<uint32_t>(op);
  request.flag = flag;
  if (path.size() >= sizeof request.path) return Error{"path too long"};
  std::memcpy(request.path, path.data(), path.size());
  iovec io{&request, sizeof request};
  msghdr message{};
  message.msg_iov = &io;
  message.msg_iovlen = 1;
  char control[CMSG_SPACE(sizeof(int))] = {};
  if (fd >= 0) {
    message.msg_control = control;
    message.msg_controllen = sizeof control;
    cmsghdr* c = CMSG_FIRSTHDR(&message);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
  }
  int rc = 0;
  if (::sendmsg(socket_.get(), &message, MSG_NOSIGNAL) < 0 ||
      ::read(socket_.get(), &rc, sizeof rc) != sizeof rc) {
    helper_gone_ = true;
    return Error{"the mount helper is gone"};
  }
  if (rc != 0) return Error{std::strerror(rc)};
  return {};
}

const MountCallGrants::Area* MountCallGrants::area_of(const std::string& path) const {
  const Area* best = nullptr;
  for (const Area& area : areas_) {
    if (path_is_under(path, area.path) && (!best || area.path.size() > best->path.size())) best = &area;
  }
  return best;
}

Result<void> MountCallGrants::grant(const std::string& call, const CallGrants& grants) {
  if (!grants.exec.empty() && !warned_exec_) {
    warned_exec_ = true;
    logger_->warn("call grants: exec grants need BPF LSM; without it the baseline decides which programs run");
  }
  Result<void> done;
  for (const std::string& path : grants.read) {
    if (done) done = add(call, path, false);
  }
  for (const std::string& path : grants.write) {
    if (done) done = add(call, path, true);
  }
  if (!done) release(call);
  return done;
}

Result<void> MountCallGrants::add(const std::string& call, const std::string& path, bool write) {
  const Area* area = area_of(path);
  if (!area) return {};  // outside every call-scoped path: the baseline decides
  write = write && area->writable;  // never more than the view
  auto held = binds_.find(path);
  if (held != binds_.end()) {
    Bind& bind = held->second;
    if (write && !bind.writable_now) {
      if (auto made = ask(kSetWritable, path, true, -1); !made) {
        return Error{"cannot grant write on '" + path + "': " + made.error().message};
      }
      bind.writable_now = true;
    }
    if (!bind.calls.count(call)) by_call_[call].push_back(path);
    bind.calls[call] = bind.calls[call] || write;
    return {};
  }
  // Opened beneath its area, never through a symlink: a link planted in the project cannot
  // make a grant bind something else.
  UniqueFd source(kernel::openat2(AT_FDCWD, path.c_str(), O_PATH | O_CLOEXEC, 0,
                                  RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS));
  if (!source.valid()) {
    if (errno == ENOENT && !write) return {};  // nothing to read: the server finds nothing
    if (errno == ENOENT) {
      return Error{"cannot grant '" + path + "': it does not exist, and per-call mounts can only bind "
                   "what exists (creating files by grant needs BPF LSM)"};
    }
    return Error{"cannot grant '" + path + "': " + std::strerror(errno) +
                 (errno == ELOOP ? " (a symlink: grants never follow them)" : "")};
  }
  UniqueFd tree(kernel::open_tree(source.get(), "",
                                  OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE));
  if (!tree.valid()) return Error{"cannot grant '" + path + "': open_tree: " + std::strerror(errno)};
  mount_attr attr{};
  attr.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (write ? 0 : MOUNT_ATTR_RDONLY);
  // A clone of a shared host mount would join its peer group: mounts made beneath it in the
  // sandbox (a file granted inside a granted directory) would then appear on the host.
  attr.propagation = MS_PRIVATE;
  if (kernel::mount_setattr(tree.get(), "", AT_EMPTY_PATH | AT_RECURSIVE, &attr) < 0) {
    return Error{"cannot grant '" + path + "': mount_setattr: " + std::strerror(errno)};
  }
  struct stat info {};
  bool directory = ::fstat(source.get(), &info) == 0 && S_ISDIR(info.st_mode);
  if (auto mounted = ask(kMount, path, directory, tree.get()); !mounted) {
    return Error{"cannot grant '" + path + "': " + mounted.error().message};
  }
  binds_[path] = Bind{write, {{call, write}}};
  by_call_[call].push_back(path);
  return {};
}

void MountCallGrants::release(const std::string& call) {
  auto found = by_call_.find(call);
  if (found == by_call_.end()) return;
  std::vector<std::string> paths = std::move(found->second);
  by_call_.erase(found);
  bool helper_was_gone = helper_gone_;
  for (const std::string& path : paths) {
    auto held = binds_.find(path);
    if (held == binds_.end()) continue;
    Bind& bind = held->second;
    bind.calls.erase(call);
    if (bind.calls.empty()) {
      if (auto gone = ask(kUnmount, path, false, -1); !gone && !helper_gone_) {
        logger_->error("call grants: cannot withdraw the bind of '" + path + "': " + gone.error().message);
      }
      binds_.erase(held);
      continue;
    }
    bool any_writer = false;
    for (const auto& [other, writes] : bind.calls) any_writer |= writes;
    if (bind.writable_now && !any_writer) {
      if (auto narrowed = ask(kSetWritable, path, false, -1); narrowed) bind.writable_now = false;
      else if (!helper_gone_) logger_->error("call grants: cannot make '" + path + "' read-only again: " + narrowed.error().message);
    }
  }
  if (helper_gone_ && !helper_was_gone) {
    logger_->info("call grants: the mount helper has ended; binds still in place end with the sandbox's mount namespace");
  }
}

}  // namespace mcpsandbox
