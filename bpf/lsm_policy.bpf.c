// L5 BPF LSM: object-level decisions for every sandbox on the host, keyed by the sandbox's
// cgroup v2 id. One set of programs serves all sandboxes; tasks outside any sandbox return at
// once, and every program first honours an earlier LSM's verdict.
//
// Hooks: signals and ptrace that leave the sandbox, mounts, the bpf() syscall, writable and
// executable memory, and the filesystem by inode subtree (file_open, bprm_check_security,
// mmap_file): a file is reachable when it or a directory above it, across mounts, carries a
// rule with the rights asked for; changing a directory's entries (path_mknod, path_mkdir,
// path_rmdir, path_unlink, path_symlink, path_link, path_rename) needs write access to it. Not
// the host network, socket_connect and socket_bind allow only the profile's destinations and
// ports. Each denial is an event in the sandbox's own ring buffer.
//
// Call-scoped grants (issue #9) are entries of the same maps, added by the sandbox's mcpsandbox
// while a tool call is in flight and removed when it ends: an inode entry for what exists, a
// named entry (directory inode + name) for a file the call may create. Beneath a call-scoped
// directory the baseline holds an entry with no rights, so only those grants open it.
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "egress_match.bpf.h"
#include "mcpsandbox_types.h"

#define EPERM 1
#define EACCES 13
#define PROT_WRITE 0x2
#define PROT_EXEC 0x4
#define VM_WRITE 0x2
#define MAP_SHARED 0x01

char LICENSE[] SEC("license") = "GPL";

#define MAY_WRITE_FMODE 0x2
#define MAY_READ_FMODE 0x1
#define TMPFS_MAGIC 0x01021994
#define PROC_SUPER_MAGIC 0x9fa0
#define OVERLAYFS_SUPER_MAGIC 0x794c7630
#define PIPEFS_MAGIC 0x50495045
#define MAX_PATH_STEPS 64

// cgroup v2 id -> sandbox flags for every live sandbox. Entries come and go with sandboxes.
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 4096);
  __type(key, __u64);
  __type(value, __u32);
} mcpsandbox_sandboxes SEC(".maps");

// (sandbox, device, inode) -> rights beneath that file or directory.
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 65536);
  __type(key, struct mcpsandbox_inode_key);
  __type(value, __u32);
} mcpsandbox_inodes SEC(".maps");

// (sandbox, directory, name or name prefix) -> rights on those entries of the directory: call
// grants of files a call may create or replace (longest prefix wins).
struct {
  __uint(type, BPF_MAP_TYPE_LPM_TRIE);
  __uint(max_entries, 4096);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, struct mcpsandbox_named_key);
  __type(value, __u32);
} mcpsandbox_named SEC(".maps");

struct denial_ring {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, MCPSANDBOX_DENIAL_RING_BYTES);
};

// cgroup id -> that sandbox's ring buffer of denials, read by its own mcpsandbox.
struct {
  __uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
  __uint(max_entries, 4096);
  __type(key, __u64);
  __array(values, struct denial_ring);
} mcpsandbox_denials SEC(".maps");

static __always_inline struct mcpsandbox_denial *start_denial(__u32 hook) {
  __u64 cgroup_id = bpf_get_current_cgroup_id();
  void *ring = bpf_map_lookup_elem(&mcpsandbox_denials, &cgroup_id);
  if (!ring) return 0;
  struct mcpsandbox_denial *event = bpf_ringbuf_reserve(ring, sizeof *event, 0);
  if (!event) return 0;
  event->hook = hook;
  event->pid = bpf_get_current_pid_tgid() >> 32;
  event->needed = 0;
  event->target = 0;
  event->ino = 0;
  event->path[0] = 0;
  bpf_get_current_comm(event->comm, sizeof event->comm);
  return event;
}

static __always_inline void report_task(__u32 hook, struct task_struct *target) {
  struct mcpsandbox_denial *event = start_denial(hook);
  if (!event) return;
  event->target = BPF_CORE_READ(target, tgid);
  bpf_ringbuf_submit(event, 0);
}

// Reports a refused connect or bind (the port in `target`) and returns the refusal.
static __always_inline int deny_port(__u32 hook, __u16 port) {
  struct mcpsandbox_denial *event = start_denial(hook);
  if (event) {
    event->target = port;
    bpf_ringbuf_submit(event, 0);
  }
  return -EPERM;
}

static __always_inline void report_simple(__u32 hook) {
  struct mcpsandbox_denial *event = start_denial(hook);
  if (event) bpf_ringbuf_submit(event, 0);
}

// (sandbox, index) -> an allowed destination: the same rules cgroup-bpf enforces (L4).
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 65536);
  __type(key, struct mcpsandbox_egress_key);
  __type(value, struct mcpsandbox_egress_rule);
} mcpsandbox_egress SEC(".maps");

static __always_inline int in_sandbox(__u64 cgroup_id) {
  return bpf_map_lookup_elem(&mcpsandbox_sandboxes, &cgroup_id) != 0;
}

// The rights a call grant by name gives on the entry `dentry` of directory `dir`, if one does.
static __always_inline __u32 *named_rights(__u64 cgroup_id, struct dentry *dir, struct dentry *dentry) {
  struct mcpsandbox_named_key key = {.cgroup_id = cgroup_id};
  key.prefixlen = MCPSANDBOX_NAMED_FIXED_BITS + MCPSANDBOX_NAME_BYTES * 8;
  key.dev = BPF_CORE_READ(dir, d_sb, s_dev);
  key.ino = BPF_CORE_READ(dir, d_inode, i_ino);
  if (bpf_probe_read_kernel_str(key.name, sizeof key.name, BPF_CORE_READ(dentry, d_name.name)) < 0) {
    return 0;
  }
  return bpf_map_lookup_elem(&mcpsandbox_named, &key);
}

// The rights the sandbox has on `path`: the first rule found walking up from it, crossing from
// each mount's root to its mountpoint. 0 when nothing grants it.
static __always_inline __u32 rights_on(__u64 cgroup_id, __u32 flags, const struct path *path) {
  struct dentry *dentry = BPF_CORE_READ(path, dentry);
  struct vfsmount *vfsmnt = BPF_CORE_READ(path, mnt);
  struct mount *mnt = (struct mount *)((char *)vfsmnt - bpf_core_field_offset(struct mount, mnt));
  struct super_block *sb = BPF_CORE_READ(dentry, d_sb);
  // Re-opening a pipe it holds (/dev/stdout -> /proc/self/fd/1) reaches nothing new.
  if (BPF_CORE_READ(sb, s_magic) == PIPEFS_MAGIC) {
    return MCPSANDBOX_RIGHT_READ | MCPSANDBOX_RIGHT_WRITE;
  }
  if (flags & MCPSANDBOX_SANDBOX_OWN_MOUNTS) {
    // Its own tmpfs, /proc and overlays are bounded by its mount namespace already.
    unsigned long magic = BPF_CORE_READ(sb, s_magic);
    if (magic == TMPFS_MAGIC || magic == PROC_SUPER_MAGIC || magic == OVERLAYFS_SUPER_MAGIC) {
      return MCPSANDBOX_RIGHT_READ | MCPSANDBOX_RIGHT_WRITE | MCPSANDBOX_RIGHT_EXEC;
    }
  }
  if (flags & MCPSANDBOX_SANDBOX_NAMED_GRANTS) {
    __u32 *named = named_rights(cgroup_id, BPF_CORE_READ(dentry, d_parent), dentry);
    if (named) return *named;
  }
  struct mcpsandbox_inode_key key = {.cgroup_id = cgroup_id};
  for (int i = 0; i < MAX_PATH_STEPS; i++) {
    key.dev = BPF_CORE_READ(dentry, d_sb, s_dev);
    key.ino = BPF_CORE_READ(dentry, d_inode, i_ino);
    __u32 *rights = bpf_map_lookup_elem(&mcpsandbox_inodes, &key);
    if (rights) return *rights;
    struct dentry *mnt_root = BPF_CORE_READ(mnt, mnt.mnt_root);
    if (dentry == mnt_root) {
      struct mount *parent = BPF_CORE_READ(mnt, mnt_parent);
      if (parent == mnt) return 0;
      dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
      mnt = parent;
      continue;
    }
    struct dentry *up = BPF_CORE_READ(dentry, d_parent);
    if (up == dentry) return 0;
    dentry = up;
  }
  return 0;
}

static __always_inline int check_file(struct file *file, __u32 needed, __u32 hook) {
  __u64 cgroup_id = bpf_get_current_cgroup_id();
  __u32 *flags = bpf_map_lookup_elem(&mcpsandbox_sandboxes, &cgroup_id);
  if (!flags || !needed) return 0;
  struct path path = BPF_CORE_READ(file, f_path);
  __u32 rights = rights_on(cgroup_id, *flags, &path);
  if ((rights & needed) == needed) return 0;
  struct mcpsandbox_denial *event = start_denial(hook);
  if (event) {
    event->needed = needed;
    event->ino = BPF_CORE_READ(file, f_inode, i_ino);
    struct dentry *dentry = BPF_CORE_READ(file, f_path.dentry);
    bpf_probe_read_kernel_str(event->path, sizeof event->path, BPF_CORE_READ(dentry, d_name.name));
    bpf_ringbuf_submit(event, 0);
  }
  return -EACCES;
}

// Changing a directory's entries (create, mkdir, mknod, symlink, link, unlink, rmdir, rename)
// needs write access to the directory, or a call grant by name for that one entry. The path_*
// hooks carry the mount, so rules hold across bind mounts exactly as for file_open.
static __always_inline int check_dir_write(const struct path *dir, struct dentry *entry) {
  __u64 cgroup_id = bpf_get_current_cgroup_id();
  __u32 *flags = bpf_map_lookup_elem(&mcpsandbox_sandboxes, &cgroup_id);
  if (!flags) return 0;
  __u32 rights = rights_on(cgroup_id, *flags, dir);
  if (rights & MCPSANDBOX_RIGHT_WRITE) return 0;
  if (*flags & MCPSANDBOX_SANDBOX_NAMED_GRANTS) {
    __u32 *named = named_rights(cgroup_id, BPF_CORE_READ(dir, dentry), entry);
    if (named && (*named & MCPSANDBOX_RIGHT_WRITE)) return 0;
  }
  struct mcpsandbox_denial *event = start_denial(MCPSANDBOX_HOOK_DIR_CHANGE);
  if (event) {
    event->needed = MCPSANDBOX_RIGHT_WRITE;
    struct dentry *dentry = BPF_CORE_READ(dir, dentry);
    event->ino = BPF_CORE_READ(dentry, d_inode, i_ino);
    bpf_probe_read_kernel_str(event->path, sizeof event->path, BPF_CORE_READ(dentry, d_name.name));
    bpf_ringbuf_submit(event, 0);
  }
  return -EACCES;
}

// No set-user-id or set-group-id bit on a file the sandbox creates or changes: in a read-write
// grant the bit is on the host's inode, where the sandbox's nosuid mounts do not reach (issue
// #17). Seccomp refuses the mode arguments too; this holds where seccomp is off or bypassed.
#define S_ISUID 04000
#define S_ISGID 02000

static __always_inline int refuse_set_id(umode_t mode) {
  if (!(mode & (S_ISUID | S_ISGID))) return 0;
  if (!in_sandbox(bpf_get_current_cgroup_id())) return 0;
  report_simple(MCPSANDBOX_HOOK_SET_ID);
  return -EPERM;
}

// Also every open(O_CREAT) and creat(): the kernel asks path_mknod before it creates the file.
SEC("lsm/path_mknod")
int BPF_PROG(mcpsandbox_path_mknod, const struct path *dir, struct dentry *dentry, umode_t mode,
             unsigned int dev, int ret) {
  if (ret) return ret;
  int set_id = refuse_set_id(mode);
  return set_id ? set_id : check_dir_write(dir, dentry);
}

SEC("lsm/path_chmod")
int BPF_PROG(mcpsandbox_path_chmod, const struct path *path, umode_t mode, int ret) {
  return ret ? ret : refuse_set_id(mode);
}

// A file capability (security.capability) is a set-id bit by another name. Without
// CAP_SETFCAP (dropped by the hygiene layer) the kernel refuses it first; this is the backstop.
SEC("lsm/inode_setxattr")
int BPF_PROG(mcpsandbox_inode_setxattr, void *idmap, struct dentry *dentry, const char *name,
             const void *value, size_t size, int flags, int ret) {
  if (ret) return ret;
  if (!in_sandbox(bpf_get_current_cgroup_id())) return 0;
  static const char capability[] = "security.capability";
  char read[sizeof capability] = {};
  if (bpf_probe_read_kernel_str(read, sizeof read, name) != sizeof capability) return 0;
  for (int i = 0; i < (int)sizeof capability; i++) {
    if (read[i] != capability[i]) return 0;
  }
  report_simple(MCPSANDBOX_HOOK_SET_ID);
  return -EPERM;
}

SEC("lsm/path_mkdir")
int BPF_PROG(mcpsandbox_path_mkdir, const struct path *dir, struct dentry *dentry, umode_t mode,
             int ret) {
  return ret ? ret : check_dir_write(dir, dentry);
}

SEC("lsm/path_rmdir")
int BPF_PROG(mcpsandbox_path_rmdir, const struct path *dir, struct dentry *dentry, int ret) {
  return ret ? ret : check_dir_write(dir, dentry);
}

SEC("lsm/path_unlink")
int BPF_PROG(mcpsandbox_path_unlink, const struct path *dir, struct dentry *dentry, int ret) {
  return ret ? ret : check_dir_write(dir, dentry);
}

SEC("lsm/path_symlink")
int BPF_PROG(mcpsandbox_path_symlink, const struct path *dir, struct dentry *dentry,
             const char *old_name, int ret) {
  return ret ? ret : check_dir_write(dir, dentry);
}

SEC("lsm/path_link")
int BPF_PROG(mcpsandbox_path_link, struct dentry *old_dentry, const struct path *new_dir,
             struct dentry *new_dentry, int ret) {
  return ret ? ret : check_dir_write(new_dir, new_dentry);
}

SEC("lsm/path_rename")
int BPF_PROG(mcpsandbox_path_rename, const struct path *old_dir, struct dentry *old_dentry,
             const struct path *new_dir, struct dentry *new_dentry, unsigned int flags, int ret) {
  if (ret) return ret;
  int verdict = check_dir_write(old_dir, old_dentry);
  return verdict ? verdict : check_dir_write(new_dir, new_dentry);
}

static __always_inline int destination_allowed(__u64 cgroup_id, __u32 rule_count, __u32 family,
                                               const __u8 *addr, __u16 port) {
  struct mcpsandbox_egress_key key = {.cgroup_id = cgroup_id};
  for (__u32 i = 0; i < MCPSANDBOX_MAX_EGRESS_RULES; i++) {
    if (i >= rule_count) break;
    key.index = i;
    struct mcpsandbox_egress_rule *rule = bpf_map_lookup_elem(&mcpsandbox_egress, &key);
    if (rule && egress_rule_matches(rule, family, addr, port)) return 1;
  }
  // The destinations of the tool calls in flight (connect grants), as L4's call_grants slots.
  for (__u32 i = 0; i < MCPSANDBOX_MAX_CALL_GRANTS; i++) {
    key.index = MCPSANDBOX_GRANT_INDEX_BASE + i;
    struct mcpsandbox_egress_rule *rule = bpf_map_lookup_elem(&mcpsandbox_egress, &key);
    if (rule && egress_rule_matches(rule, family, addr, port)) return 1;
  }
  return 0;
}

// Reads an IPv4 or IPv6 socket address: its family (0 for any other), address and port.
static __always_inline __u16 read_inet_address(struct sockaddr *address, __u8 *addr, __u16 *port) {
  __u16 family = BPF_CORE_READ(address, sa_family);
  if (family == MCPSANDBOX_AF_INET) {
    struct sockaddr_in *in = (struct sockaddr_in *)address;
    __u32 ip = BPF_CORE_READ(in, sin_addr.s_addr);
    __builtin_memcpy(addr, &ip, 4);
    *port = bpf_ntohs(BPF_CORE_READ(in, sin_port));
    return family;
  }
  if (family == MCPSANDBOX_AF_INET6) {
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)address;
    bpf_probe_read_kernel(addr, 16, &in6->sin6_addr);
    *port = bpf_ntohs(BPF_CORE_READ(in6, sin6_port));
    return family;
  }
  return 0;
}

// The sandbox flags of the calling task when it is in a host-network sandbox, else 0: only
// those have their connect() and bind() checked here (the others have no network but their own).
static __always_inline __u32 *host_network_sandbox(__u64 cgroup_id) {
  __u32 *flags = bpf_map_lookup_elem(&mcpsandbox_sandboxes, &cgroup_id);
  return flags && (*flags & MCPSANDBOX_SANDBOX_HOST_NETWORK) ? flags : 0;
}

// With the host network, connect() reaches only the profile's destinations, as in L4.
SEC("lsm/socket_connect")
int BPF_PROG(mcpsandbox_socket_connect, struct socket *sock, struct sockaddr *address, int addrlen,
             int ret) {
  if (ret) return ret;
  __u64 cgroup_id = bpf_get_current_cgroup_id();
  __u32 *flags = host_network_sandbox(cgroup_id);
  if (!flags) return 0;
  __u8 addr[16] = {};
  __u16 port = 0;
  __u16 family = read_inet_address(address, addr, &port);
  if (!family) return 0;  // unix sockets: the mount view and Landlock's scoping
  if (destination_allowed(cgroup_id, (*flags >> MCPSANDBOX_SANDBOX_RULES_SHIFT) & 0xff, family,
                          addr, port)) {
    return 0;
  }
  return deny_port(MCPSANDBOX_HOOK_CONNECT, port);
}

// With the host network, bind() takes only the profile's ports (port 0, "any free port", is
// not a listening service and stays allowed).
SEC("lsm/socket_bind")
int BPF_PROG(mcpsandbox_socket_bind, struct socket *sock, struct sockaddr *address, int addrlen,
             int ret) {
  if (ret) return ret;
  __u64 cgroup_id = bpf_get_current_cgroup_id();
  __u32 *flags = host_network_sandbox(cgroup_id);
  if (!flags) return 0;
  __u8 addr[16] = {};
  __u16 port = 0;
  if (!read_inet_address(address, addr, &port) || port == 0) return 0;
  __u32 binds = (*flags >> MCPSANDBOX_SANDBOX_BINDS_SHIFT) & 0xff;
  struct mcpsandbox_egress_key key = {.cgroup_id = cgroup_id};
  for (__u32 i = 0; i < MCPSANDBOX_MAX_EGRESS_RULES; i++) {
    if (i >= binds) break;
    key.index = MCPSANDBOX_BIND_INDEX_BASE + i;
    struct mcpsandbox_egress_rule *rule = bpf_map_lookup_elem(&mcpsandbox_egress, &key);
    if (rule && rule->port == port) return 0;
  }
  return deny_port(MCPSANDBOX_HOOK_BIND, port);
}

SEC("lsm/file_open")
int BPF_PROG(mcpsandbox_file_open, struct file *file, int ret) {
  if (ret) return ret;
  unsigned int mode = BPF_CORE_READ(file, f_mode);
  __u32 needed = 0;
  if (mode & MAY_READ_FMODE) needed |= MCPSANDBOX_RIGHT_READ;
  if (mode & MAY_WRITE_FMODE) needed |= MCPSANDBOX_RIGHT_WRITE;
  return check_file(file, needed, MCPSANDBOX_HOOK_FILE_OPEN);
}

SEC("lsm/bprm_check_security")
int BPF_PROG(mcpsandbox_bprm_check, struct linux_binprm *bprm, int ret) {
  if (ret) return ret;
  // With filesystem.exec, running a program needs its own right (libraries, mapped for
  // execution, need only EXEC): the profile's programs, and those an in-flight call's grants add.
  __u64 cgroup_id = bpf_get_current_cgroup_id();
  __u32 *flags = bpf_map_lookup_elem(&mcpsandbox_sandboxes, &cgroup_id);
  __u32 needed = flags && (*flags & MCPSANDBOX_SANDBOX_RUN_GRANTED) ? MCPSANDBOX_RIGHT_RUN
                                                                     : MCPSANDBOX_RIGHT_EXEC;
  return check_file(BPF_CORE_READ(bprm, file), needed, MCPSANDBOX_HOOK_EXEC);
}

SEC("lsm/mmap_file")
int BPF_PROG(mcpsandbox_mmap_file, struct file *file, unsigned long reqprot, unsigned long prot,
             unsigned long flags, int ret) {
  if (ret) return ret;
  if (!file || !(prot & PROT_EXEC)) return 0;
  return check_file(file, MCPSANDBOX_RIGHT_EXEC, MCPSANDBOX_HOOK_MMAP_EXEC);
}

static __always_inline __u64 task_cgroup_id(struct task_struct *task) {
  return BPF_CORE_READ(task, cgroups, dfl_cgrp, kn, id);
}

// A sandboxed task may act only on tasks of its own sandbox.
static __always_inline int outside_reach(struct task_struct *target) {
  __u64 own = bpf_get_current_cgroup_id();
  if (!in_sandbox(own)) return 0;
  return task_cgroup_id(target) != own;
}

SEC("lsm/task_kill")
int BPF_PROG(mcpsandbox_task_kill, struct task_struct *target, struct kernel_siginfo *info,
             int sig, const struct cred *cred, int ret) {
  if (ret) return ret;
  if (!outside_reach(target)) return 0;
  report_task(MCPSANDBOX_HOOK_SIGNAL, target);
  return -EPERM;
}

SEC("lsm/ptrace_access_check")
int BPF_PROG(mcpsandbox_ptrace_access_check, struct task_struct *child, unsigned int mode,
             int ret) {
  if (ret) return ret;
  if (!outside_reach(child)) return 0;
  report_task(MCPSANDBOX_HOOK_PTRACE, child);
  return -EPERM;
}

// The sandbox builds its own mount tree before the server starts; from then on, no mounts.
SEC("lsm/sb_mount")
int BPF_PROG(mcpsandbox_sb_mount, const char *dev_name, const struct path *path, const char *type,
             unsigned long flags, void *data, int ret) {
  if (ret) return ret;
  __u64 cgroup_id = bpf_get_current_cgroup_id();
  __u32 *sandbox = bpf_map_lookup_elem(&mcpsandbox_sandboxes, &cgroup_id);
  if (!sandbox || !(*sandbox & MCPSANDBOX_SANDBOX_STARTED)) return 0;
  report_simple(MCPSANDBOX_HOOK_MOUNT);
  return -EPERM;
}

// Self-protection: no sandboxed task gets a handle on any BPF object, ours included.
SEC("lsm/bpf")
int BPF_PROG(mcpsandbox_bpf, int cmd, union bpf_attr *attr, unsigned int size, int ret) {
  if (ret) return ret;
  if (!in_sandbox(bpf_get_current_cgroup_id())) return 0;
  report_simple(MCPSANDBOX_HOOK_BPF);
  return -EPERM;
}

// A map or program fd reaching a sandboxed task by other means (passed over a unix socket):
// it gets no handle on it either.
SEC("lsm/bpf_map")
int BPF_PROG(mcpsandbox_bpf_map, struct bpf_map *map, fmode_t fmode, int ret) {
  if (ret) return ret;
  if (!in_sandbox(bpf_get_current_cgroup_id())) return 0;
  report_simple(MCPSANDBOX_HOOK_BPF);
  return -EPERM;
}

SEC("lsm/bpf_prog")
int BPF_PROG(mcpsandbox_bpf_prog, struct bpf_prog *prog, int ret) {
  if (ret) return ret;
  if (!in_sandbox(bpf_get_current_cgroup_id())) return 0;
  report_simple(MCPSANDBOX_HOOK_BPF);
  return -EPERM;
}

// No memory both writable and executable, for profiles that ask for it: JIT runtimes (node's V8
// mprotects its code pages read-write-execute) would break, so it is off by default.
SEC("lsm/file_mprotect")
int BPF_PROG(mcpsandbox_file_mprotect, struct vm_area_struct *vma, unsigned long reqprot,
             unsigned long prot, int ret) {
  if (ret) return ret;
  __u64 cgroup_id = bpf_get_current_cgroup_id();
  __u32 *sandbox = bpf_map_lookup_elem(&mcpsandbox_sandboxes, &cgroup_id);
  if (!sandbox || !(*sandbox & MCPSANDBOX_SANDBOX_DENY_WX)) return 0;
  int writable = (prot & PROT_WRITE) || (BPF_CORE_READ(vma, vm_flags) & VM_WRITE);
  if (!writable || !(prot & PROT_EXEC)) return 0;
  report_simple(MCPSANDBOX_HOOK_WX_MEMORY);
  return -EACCES;
}
