#include "launcher/mount_call_grants.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "launcher/sandbox/kernel_api.h"
#include "profiles/paths.h"

namespace mcpsandbox {
namespace {

// Creates the mount point `relative` (and the directories above it) in an area's empty tmpfs
// through `area`, a writable clone of it: the mount the server sees stays read-only.
int make_mount_point(int area, const std::string& relative, bool directory) {
  UniqueFd dir(::dup(area));
  size_t start = 0;
  for (size_t slash; dir.valid() && (slash = relative.find('/', start)) != std::string::npos; start = slash + 1) {
    std::string component = relative.substr(start, slash - start);
    if (::mkdirat(dir.get(), component.c_str(), 0755) < 0 && errno != EEXIST) return errno;
    dir = UniqueFd(kernel::openat2(dir.get(), component.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC, 0,
                                   RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS));
  }
  if (!dir.valid()) return errno;
  std::string last = relative.substr(start);
  if (directory) return ::mkdirat(dir.get(), last.c_str(), 0755) < 0 && errno != EEXIST ? errno : 0;
  UniqueFd file(::openat(dir.get(), last.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644));
  return !file.valid() && errno != EEXIST ? errno : 0;
}

// After the unmount: the mount point goes from the tmpfs, and the directories made for it
// while empty, so that nothing of an ended call (not even an empty file) stays in view.
void remove_mount_point(int area, std::string relative) {
  while (!relative.empty()) {
    if (::unlinkat(area, relative.c_str(), 0) < 0 && ::unlinkat(area, relative.c_str(), AT_REMOVEDIR) < 0) {
      return;  // in use (another call's mount point), not empty, or not in the tmpfs (nested)
    }
    size_t slash = relative.rfind('/');
    relative.resize(slash == std::string::npos ? 0 : slash);
  }
}

int set_read_only(int mount, bool read_only) {
  mount_attr attr{};
  (read_only ? attr.attr_set : attr.attr_clr) = MOUNT_ATTR_RDONLY;
  return kernel::mount_setattr(mount, "", AT_EMPTY_PATH, &attr) < 0 ? errno : 0;
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
  auto visit = MountNamespaceVisit::prepare(sandbox_pid);
  if (!visit) return Error{"per-call mounts: " + visit.error().message};
  UniqueFd own_fds(::open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!own_fds.valid()) return Error{std::string("per-call mounts: open /proc/self/fd: ") + std::strerror(errno)};
  // A writable handle on each area's empty tmpfs, for creating mount points in it.
  std::vector<UniqueFd> handles;
  int rc = visit->run([&] {
    for (const Area& area : areas) {
      UniqueFd root(kernel::openat2(AT_FDCWD, area.path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC, 0,
                                    RESOLVE_NO_SYMLINKS));
      if (!root.valid()) return errno;
      UniqueFd clone(kernel::open_tree(root.get(), "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH));
      if (!clone.valid()) return errno;
      if (int failed = set_read_only(clone.get(), false)) return failed;
      handles.push_back(std::move(clone));
    }
    return 0;
  });
  if (rc != 0) {
    return Error{std::string("per-call mounts: cannot prepare the call-scoped paths in the sandbox's mount namespace: ") +
                 std::strerror(rc)};
  }
  return MountCallGrants(std::move(*visit), std::move(own_fds), std::move(areas), std::move(handles), logger);
}

MountCallGrants::~MountCallGrants() {
  std::vector<std::string> calls;
  for (const auto& [call, paths] : by_call_) calls.push_back(call);
  for (const auto& call : calls) (void)release(call);
}

std::optional<size_t> MountCallGrants::area_of(const std::string& path) const {
  std::optional<size_t> best;
  for (size_t i = 0; i < areas_.size(); ++i) {
    if (path_is_under(path, areas_[i].path) && (!best || areas_[i].path.size() > areas_[*best].path.size())) best = i;
  }
  return best;
}

std::string MountCallGrants::relative_to_area(const std::string& path, size_t area) const {
  return path.size() > areas_[area].path.size() ? path.substr(areas_[area].path.size() + 1) : "";
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
  if (!done) (void)release(call);
  return done;
}

Result<void> MountCallGrants::add(const std::string& call, const std::string& path, bool write) {
  std::optional<size_t> area = area_of(path);
  if (!area) return {};  // outside every call-scoped path: the baseline decides
  write = write && areas_[*area].writable;  // never more than the view
  auto held = binds_.find(path);
  if (held != binds_.end()) {
    Bind& bind = held->second;
    if (write && !bind.writable_now) {
      if (int rc = visit_.run([&] { return set_read_only(bind.mount.get(), false); })) {
        return Error{"cannot grant write on '" + path + "': " + std::strerror(rc)};
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
  int rc = visit_.run([&] {
    // The mount point as the sandbox sees it, never through a symlink (a granted directory is
    // the server's to change); made in the area's tmpfs when the view has none.
    UniqueFd point(kernel::openat2(AT_FDCWD, path.c_str(), O_PATH | O_CLOEXEC, 0, RESOLVE_NO_SYMLINKS));
    if (!point.valid() && errno == ENOENT) {
      if (int made = make_mount_point(handles_[*area].get(), relative_to_area(path, *area), directory)) return made;
      point = UniqueFd(kernel::openat2(AT_FDCWD, path.c_str(), O_PATH | O_CLOEXEC, 0, RESOLVE_NO_SYMLINKS));
    }
    if (!point.valid()) return errno;
    return kernel::move_mount(tree.get(), "", point.get(), "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0
               ? errno
               : 0;
  });
  if (rc != 0) return Error{"cannot grant '" + path + "': " + std::strerror(rc)};
  // `tree` now names the attached bind: it is withdrawn through this fd, not by path, so that
  // the server renaming or replacing directories above it cannot redirect the unmount.
  binds_[path] = Bind{std::move(tree), *area, write, {{call, write}}};
  by_call_[call].push_back(path);
  return {};
}

int MountCallGrants::unmount(const std::string& path, Bind& bind) {
  // umount2() takes a path: this process's own /proc/self/fd/N, which leads to the bind itself
  // whatever has become of its path in the sandbox (relative to the host's /proc/self/fd: the
  // sandbox's /proc does not show this process).
  std::string name = std::to_string(bind.mount.get());
  return visit_.run([&] {
    if (::fchdir(own_fds_.get()) < 0) return errno;
    int unmounted = ::umount2(name.c_str(), MNT_DETACH) < 0 ? errno : 0;
    if (unmounted == 0) remove_mount_point(handles_[bind.area].get(), relative_to_area(path, bind.area));
    return unmounted;
  });
}

Result<void> MountCallGrants::release(const std::string& call) {
  auto found = by_call_.find(call);
  if (found == by_call_.end()) return {};
  std::string failed;
  std::vector<std::string> paths = std::move(found->second);
  by_call_.erase(found);
  for (const std::string& path : paths) {
    auto held = binds_.find(path);
    if (held == binds_.end()) continue;
    Bind& bind = held->second;
    bind.calls.erase(call);
    if (bind.calls.empty()) {
      if (int rc = unmount(path, bind); rc && failed.empty()) {
        failed = "cannot withdraw the bind of '" + path + "': " + std::strerror(rc);
      }
      binds_.erase(held);
      continue;
    }
    bool any_writer = false;
    for (const auto& [other, writes] : bind.calls) any_writer |= writes;
    if (bind.writable_now && !any_writer) {
      if (int rc = visit_.run([&] { return set_read_only(bind.mount.get(), true); })) {
        if (failed.empty()) failed = "cannot make '" + path + "' read-only again: " + std::strerror(rc);
      } else {
        bind.writable_now = false;
      }
    }
  }
  if (!failed.empty()) return Error{failed};
  return {};
}

}  // namespace mcpsandbox
