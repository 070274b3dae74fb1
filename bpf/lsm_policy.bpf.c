// L5 BPF LSM: object-level decisions for every sandbox on the host, keyed by the sandbox's
// cgroup v2 id. One set of programs serves all sandboxes; tasks outside any sandbox return at
// once, and every program first honours an earlier LSM's verdict.
//
// This first set covers what needs no path policy: signals and ptrace that leave the sandbox,
// mounts, the bpf() syscall, and writable-and-executable memory. The filesystem hooks
// (file_open by inode subtree, inode_*, bprm_check_security) are not written yet.
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "mcpsandbox_types.h"

#define EPERM 1
#define EACCES 13
#define PROT_WRITE 0x2
#define PROT_EXEC 0x4
#define VM_WRITE 0x2
#define MAP_SHARED 0x01

char LICENSE[] SEC("license") = "GPL";

// cgroup v2 id -> 1 for every live sandbox. Entries come and go with sandboxes.
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 4096);
  __type(key, __u64);
  __type(value, __u32);
} mcpsandbox_sandboxes SEC(".maps");

static __always_inline int in_sandbox(__u64 cgroup_id) {
  return bpf_map_lookup_elem(&mcpsandbox_sandboxes, &cgroup_id) != 0;
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
  return outside_reach(target) ? -EPERM : 0;
}

SEC("lsm/ptrace_access_check")
int BPF_PROG(mcpsandbox_ptrace_access_check, struct task_struct *child, unsigned int mode,
             int ret) {
  if (ret) return ret;
  return outside_reach(child) ? -EPERM : 0;
}

SEC("lsm/sb_mount")
int BPF_PROG(mcpsandbox_sb_mount, const char *dev_name, const struct path *path, const char *type,
             unsigned long flags, void *data, int ret) {
  if (ret) return ret;
  return in_sandbox(bpf_get_current_cgroup_id()) ? -EPERM : 0;
}

// Self-protection: no sandboxed task gets a handle on any BPF object, ours included.
SEC("lsm/bpf")
int BPF_PROG(mcpsandbox_bpf, int cmd, union bpf_attr *attr, unsigned int size, int ret) {
  if (ret) return ret;
  return in_sandbox(bpf_get_current_cgroup_id()) ? -EPERM : 0;
}

// No memory both writable and executable: no JIT-style injection of native code.
SEC("lsm/file_mprotect")
int BPF_PROG(mcpsandbox_file_mprotect, struct vm_area_struct *vma, unsigned long reqprot,
             unsigned long prot, int ret) {
  if (ret) return ret;
  if (!in_sandbox(bpf_get_current_cgroup_id())) return 0;
  int writable = (prot & PROT_WRITE) || (BPF_CORE_READ(vma, vm_flags) & VM_WRITE);
  return writable && (prot & PROT_EXEC) ? -EACCES : 0;
}
