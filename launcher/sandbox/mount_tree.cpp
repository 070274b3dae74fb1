#include "launcher/sandbox/mount_tree.h"

#include <sys/mount.h>
#include <sys/stat.h>

#include <algorithm>
#include <climits>
#include <string>

#include "launcher/sandbox/kernel_api.h"
#include "proxy/io/unique_fd.h"

namespace mcpsandbox {
namespace {

// Where the new root is attached before pivot_root. Every host path has been opened by then,
// so covering /tmp hides nothing the sandbox still needs.
constexpr const char* kAttachPoint = "/tmp";
constexpr const char* kDeviceNodes[] = {"/dev/null", "/dev/zero", "/dev/full", "/dev/random",
                                        "/dev/urandom"};

struct Entry {
  std::string target;  // absolute path inside the sandbox
  UniqueFd tree;       // detached mount to attach there (unless symlink)
  std::string symlink;  // create this symlink instead
  bool directory = true;
};

SetupError fail(const std::string& what) { return SetupError::from(errno, what); }

size_t depth(const std::string& path) { return std::count(path.begin(), path.end(), '/'); }

std::optional<SetupError> set_attributes(int tree, uint64_t attributes, const std::string& what) {
  mount_attr attr{};
  attr.attr_set = attributes;
  if (kernel::mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr) < 0) {
    return fail("mount_setattr " + what);
  }
  return std::nullopt;
}

std::optional<SetupError> new_filesystem(const char* type,
                                         std::initializer_list<std::pair<const char*, const char*>> options,
                                         unsigned attributes, UniqueFd& out) {
  UniqueFd context(kernel::fsopen(type, FSOPEN_CLOEXEC));
  if (!context.valid()) return fail(std::string("fsopen ") + type);
  for (auto [key, value] : options) {
    int rc = value ? kernel::fsconfig(context.get(), FSCONFIG_SET_STRING, key, value, 0)
                   : kernel::fsconfig(context.get(), FSCONFIG_SET_FLAG, key, nullptr, 0);
    if (rc < 0) return fail(std::string("fsconfig ") + type + " " + key);
  }
  if (kernel::fsconfig(context.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) < 0) {
    return fail(std::string("create ") + type);
  }
  out.reset(kernel::fsmount(context.get(), FSMOUNT_CLOEXEC, attributes));
  if (!out.valid()) return fail(std::string("fsmount ") + type);
  return std::nullopt;
}

// Opens a host path refusing any symlink on the way (or, for root-owned system symlinks the
// plan marks, resolving them once).
std::optional<SetupError> open_host_path(const PathGrant& grant, UniqueFd& out) {
  std::string path = grant.path;
  if (grant.follow_symlink) {
    char resolved[PATH_MAX];
    if (!::realpath(path.c_str(), resolved)) return fail("resolve " + path);
    path = resolved;
  }
  // No O_NOFOLLOW: with O_PATH it would hand back the symlink itself instead of failing.
  out.reset(kernel::openat2(AT_FDCWD, path.c_str(), O_PATH | O_CLOEXEC, 0,
                            RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS));
  if (!out.valid()) {
    if (errno == ELOOP) {
      return SetupError::from(0, "'" + grant.path +
                                     "' is or passes through a symlink; grant the real path "
                                     "(symlinks are never followed when building the sandbox)");
    }
    return fail("open '" + grant.path + "'");
  }
  return std::nullopt;
}

std::optional<SetupError> clone_tree(int source, uint64_t attributes, const std::string& what,
                                     Entry& entry) {
  entry.tree.reset(kernel::open_tree(source, "",
                                     OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE |
                                         AT_EMPTY_PATH));
  if (!entry.tree.valid()) return fail("open_tree " + what);
  struct stat info {};
  if (::fstat(source, &info) < 0) return fail("stat " + what);
  entry.directory = S_ISDIR(info.st_mode);
  return set_attributes(entry.tree.get(), attributes, what);
}

// The host directory read-only underneath, writes kept in a tmpfs that dies with the sandbox.
std::optional<SetupError> overlay_tree(int lower, const std::string& what, uint64_t scratch_bytes,
                                       Entry& entry) {
  UniqueFd scratch;
  std::string size = std::to_string(scratch_bytes);
  MCPSANDBOX_STEP(new_filesystem("tmpfs", {{"mode", "0700"}, {"size", size.c_str()}},
                                 MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, scratch));
  if (::mkdirat(scratch.get(), "upper", 0755) < 0 || ::mkdirat(scratch.get(), "work", 0755) < 0) {
    return fail("overlay scratch for " + what);
  }
  std::string lower_path = "/proc/self/fd/" + std::to_string(lower);
  std::string scratch_path = "/proc/self/fd/" + std::to_string(scratch.get());
  std::string upper = scratch_path + "/upper", work = scratch_path + "/work";
  MCPSANDBOX_STEP(new_filesystem("overlay",
                                 {{"lowerdir", lower_path.c_str()},
                                  {"upperdir", upper.c_str()},
                                  {"workdir", work.c_str()},
                                  {"userxattr", nullptr}},
                                 MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, entry.tree));
  entry.directory = true;
  return std::nullopt;
}

std::optional<SetupError> prepare_grant(const PathGrant& grant, const ResourceLimits& limits,
                                        std::vector<Entry>& entries) {
  struct stat info {};
  if (::lstat(grant.path.c_str(), &info) < 0) {
    if ((errno == ENOENT || errno == EACCES) && grant.optional) return std::nullopt;  // not this user's to see
    return fail("'" + grant.path + "' (" + grant.why + ")");
  }
  Entry entry;
  entry.target = grant.path;
  if (S_ISLNK(info.st_mode) && grant.kind == PathGrant::Kind::kSystem) {
    char link[PATH_MAX];
    ssize_t n = ::readlink(grant.path.c_str(), link, sizeof link - 1);
    if (n < 0) return fail("readlink " + grant.path);
    entry.symlink.assign(link, static_cast<size_t>(n));
    entries.push_back(std::move(entry));
    return std::nullopt;
  }
  UniqueFd source;
  MCPSANDBOX_STEP(open_host_path(grant, source));
  switch (grant.kind) {
    case PathGrant::Kind::kSystem:
    case PathGrant::Kind::kReadOnly:
      MCPSANDBOX_STEP(clone_tree(source.get(),
                                 MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
                                 grant.path, entry));
      break;
    case PathGrant::Kind::kReadWrite:
      MCPSANDBOX_STEP(clone_tree(source.get(), MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, grant.path,
                                 entry));
      break;
    case PathGrant::Kind::kOverlay:
      MCPSANDBOX_STEP(overlay_tree(source.get(), grant.path, limits.tmp_bytes, entry));
      break;
  }
  entries.push_back(std::move(entry));
  return std::nullopt;
}

// Every tmpfs is sized (ResourceLimits): its pages are the host's memory, and without a memory
// cgroup nothing else would bound them.
std::optional<SetupError> prepare_specials(const ResourceLimits& limits, std::vector<Entry>& entries) {
  auto add_fs = [&](const char* target, const char* type,
                    std::initializer_list<std::pair<const char*, const char*>> options,
                    unsigned attributes) -> std::optional<SetupError> {
    Entry entry;
    entry.target = target;
    MCPSANDBOX_STEP(new_filesystem(type, options, attributes, entry.tree));
    entries.push_back(std::move(entry));
    return std::nullopt;
  };
  // Read-only: nothing under /proc is the server's to write (sysrq-trigger is mode 0200 root,
  // and invoked as root the sandbox's uid is 0), and Landlock says the same.
  MCPSANDBOX_STEP(add_fs("/proc", "proc", {},
                         MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
                             MOUNT_ATTR_NOEXEC));
  std::string tmp_size = std::to_string(limits.tmp_bytes), shm_size = std::to_string(limits.shm_bytes);
  MCPSANDBOX_STEP(add_fs("/tmp", "tmpfs", {{"mode", "1777"}, {"size", tmp_size.c_str()}},
                         MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC));
  // Mount points for the device nodes and a few links: root inside could fill it otherwise.
  MCPSANDBOX_STEP(add_fs("/dev", "tmpfs", {{"mode", "0755"}, {"size", "1m"}},
                         MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC));
  MCPSANDBOX_STEP(add_fs("/dev/shm", "tmpfs", {{"mode", "1777"}, {"size", shm_size.c_str()}},
                         MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC));
  for (const char* node : kDeviceNodes) {
    Entry entry;
    entry.target = node;
    UniqueFd source(kernel::openat2(AT_FDCWD, node, O_PATH | O_CLOEXEC | O_NOFOLLOW, 0,
                                    RESOLVE_NO_SYMLINKS));
    if (!source.valid()) return fail(std::string("open ") + node);
    MCPSANDBOX_STEP(clone_tree(source.get(), MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, node, entry));
    entries.push_back(std::move(entry));
  }
  for (auto [name, target] : {std::pair{"/dev/fd", "/proc/self/fd"},
                              {"/dev/stdin", "/proc/self/fd/0"},
                              {"/dev/stdout", "/proc/self/fd/1"},
                              {"/dev/stderr", "/proc/self/fd/2"}}) {
    Entry entry;
    entry.target = name;
    entry.symlink = target;
    entries.push_back(std::move(entry));
  }
  return std::nullopt;
}

// Opens (creating as needed) the parent directory of `target` inside the new root, never
// following a symlink.
std::optional<SetupError> open_parent(int root, const std::string& target, UniqueFd& parent,
                                      std::string& name) {
  std::string relative = target.substr(1);
  size_t slash = relative.rfind('/');
  name = slash == std::string::npos ? relative : relative.substr(slash + 1);
  std::string dir = slash == std::string::npos ? "" : relative.substr(0, slash);
  parent.reset(::dup(root));
  size_t start = 0;
  while (start < dir.size()) {
    size_t end = dir.find('/', start);
    if (end == std::string::npos) end = dir.size();
    std::string component = dir.substr(start, end - start);
    if (::mkdirat(parent.get(), component.c_str(), 0755) < 0 && errno != EEXIST) {
      return fail("mkdir " + target);
    }
    int next = kernel::openat2(parent.get(), component.c_str(),
                               O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW, 0,
                               RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH);
    if (next < 0) return fail("open " + target);
    parent.reset(next);
    start = end + 1;
  }
  return std::nullopt;
}

std::optional<SetupError> attach(int root, Entry& entry) {
  UniqueFd parent;
  std::string name;
  MCPSANDBOX_STEP(open_parent(root, entry.target, parent, name));
  if (!entry.symlink.empty()) {
    if (::symlinkat(entry.symlink.c_str(), parent.get(), name.c_str()) < 0 && errno != EEXIST) {
      return fail("symlink " + entry.target);
    }
    return std::nullopt;
  }
  if (entry.directory) {
    if (::mkdirat(parent.get(), name.c_str(), 0755) < 0 && errno != EEXIST) {
      return fail("mkdir " + entry.target);
    }
  } else {
    int file = ::openat(parent.get(), name.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW,
                        0644);
    if (file < 0 && errno != EEXIST && errno != EROFS && errno != EISDIR) {
      return fail("create mount point " + entry.target);
    }
    if (file >= 0) ::close(file);
  }
  UniqueFd point(kernel::openat2(parent.get(), name.c_str(), O_PATH | O_CLOEXEC | O_NOFOLLOW, 0,
                                 RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH));
  if (!point.valid()) return fail("open mount point " + entry.target);
  if (kernel::move_mount(entry.tree.get(), "", point.get(), "",
                         MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0) {
    return fail("mount " + entry.target);
  }
  return std::nullopt;
}

}  // namespace

std::optional<SetupError> build_root_and_pivot(const std::vector<PathGrant>& paths,
                                               const ResourceLimits& limits,
                                               const std::vector<std::string>& empty_until_granted) {
  // Nothing we mount may propagate back to the host.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0) {
    return fail("make mounts private");
  }
  std::vector<Entry> entries;
  for (const PathGrant& grant : paths) MCPSANDBOX_STEP(prepare_grant(grant, limits, entries));
  MCPSANDBOX_STEP(prepare_specials(limits, entries));
  for (const std::string& path : empty_until_granted) {
    // After the grant it lies in, so that (at equal depth) it is attached on top of it.
    Entry entry;
    entry.target = path;
    MCPSANDBOX_STEP(new_filesystem("tmpfs", {{"mode", "0755"}, {"size", "1m"}},
                                   MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, entry.tree));
    entries.push_back(std::move(entry));
  }
  // Parents before children: /tmp before a granted /tmp/project, /dev before /dev/null.
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return depth(a.target) != depth(b.target) ? depth(a.target) < depth(b.target)
                                              : a.target < b.target;
  });

  UniqueFd root_mount;
  MCPSANDBOX_STEP(new_filesystem("tmpfs", {{"mode", "0755"}}, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
                                 root_mount));
  if (kernel::move_mount(root_mount.get(), "", AT_FDCWD, kAttachPoint, MOVE_MOUNT_F_EMPTY_PATH) <
      0) {
    return fail("attach the new root");
  }
  UniqueFd root(::open(kAttachPoint, O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root.valid()) return fail("open the new root");
  for (Entry& entry : entries) MCPSANDBOX_STEP(attach(root.get(), entry));

  // The root itself is read-only: nothing can be created beside the granted paths.
  mount_attr readonly{};
  readonly.attr_set = MOUNT_ATTR_RDONLY;
  if (kernel::mount_setattr(root.get(), "", AT_EMPTY_PATH, &readonly) < 0) {
    return fail("make the new root read-only");
  }
  if (::fchdir(root.get()) < 0) return fail("chdir to the new root");
  // pivot_root(".", ".") stacks the old root under the new one; detaching it leaves only ours.
  if (kernel::pivot_root(".", ".") < 0) return fail("pivot_root");
  if (::umount2(".", MNT_DETACH) < 0) return fail("detach the old root");
  if (::chdir("/") < 0) return fail("chdir /");
  return std::nullopt;
}

}  // namespace mcpsandbox
