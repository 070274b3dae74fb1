// Behaviour tracing for learning runs: which system calls the sandbox makes (counted per
// number), and every open, exec and connect with its arguments and outcome, so that
// `profile generate --learn` can write the smallest profile the server really needs.
// tp_btf programs on sys_enter/sys_exit, filtered by the sandbox's cgroup: they run where BPF
// LSM cannot (our CI VMs), and cost nothing outside the sandbox beyond one comparison.
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "mcpsandbox_types.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u64 sandbox_cgroup_id = 0;

// x86_64 system call numbers this program looks into.
#define NR_OPEN 2
#define NR_CONNECT 42
#define NR_EXECVE 59
#define NR_CREAT 85
#define NR_OPENAT 257
#define NR_EXECVEAT 322
#define NR_OPENAT2 437
#define AT_FDCWD_VALUE -100

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, MCPSANDBOX_SYSCALL_SLOTS);
  __type(key, __u32);
  __type(value, __u64);
} syscall_counts SEC(".maps");

// An open, exec or connect between its entry and its exit, by thread.
struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, 4096);
  __type(key, __u32);
  __type(value, struct mcpsandbox_behaviour_event);
} in_flight SEC(".maps");

// Room to build an event: it is larger than the BPF stack allows.
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct mcpsandbox_behaviour_event);
} scratch SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 1024 * 1024);
} events SEC(".maps");

static __always_inline int in_sandbox(void) { return bpf_get_current_cgroup_id() == sandbox_cgroup_id; }

SEC("tp_btf/sys_enter")
int BPF_PROG(mcpsandbox_behaviour_enter, struct pt_regs *regs, long id) {
  if (!in_sandbox()) return 0;
  __u32 slot = (__u32)id;
  if (slot < MCPSANDBOX_SYSCALL_SLOTS) {
    __u64 *count = bpf_map_lookup_elem(&syscall_counts, &slot);
    if (count) __sync_fetch_and_add(count, 1);
  }
  __u32 zero = 0;
  struct mcpsandbox_behaviour_event *event = bpf_map_lookup_elem(&scratch, &zero);
  if (!event) return 0;
  const char *path = 0;
  event->flags = 0;
  event->dirfd = AT_FDCWD_VALUE;
  event->length = 0;
  switch (id) {
    case NR_OPEN:
      path = (const char *)BPF_CORE_READ(regs, di);
      event->flags = (__u32)BPF_CORE_READ(regs, si);
      event->kind = MCPSANDBOX_BEHAVIOUR_OPEN;
      break;
    case NR_CREAT:
      path = (const char *)BPF_CORE_READ(regs, di);
      event->flags = 01 | 0100 | 01000; /* O_WRONLY | O_CREAT | O_TRUNC */
      event->kind = MCPSANDBOX_BEHAVIOUR_OPEN;
      break;
    case NR_OPENAT:
      event->dirfd = (__s32)BPF_CORE_READ(regs, di);
      path = (const char *)BPF_CORE_READ(regs, si);
      event->flags = (__u32)BPF_CORE_READ(regs, dx);
      event->kind = MCPSANDBOX_BEHAVIOUR_OPEN;
      break;
    case NR_OPENAT2: {
      event->dirfd = (__s32)BPF_CORE_READ(regs, di);
      path = (const char *)BPF_CORE_READ(regs, si);
      __u64 how_flags = 0;
      bpf_probe_read_user(&how_flags, sizeof how_flags, (const void *)BPF_CORE_READ(regs, dx));
      event->flags = (__u32)how_flags;
      event->kind = MCPSANDBOX_BEHAVIOUR_OPEN;
      break;
    }
    case NR_EXECVE:
      path = (const char *)BPF_CORE_READ(regs, di);
      event->kind = MCPSANDBOX_BEHAVIOUR_EXEC;
      break;
    case NR_EXECVEAT:
      event->dirfd = (__s32)BPF_CORE_READ(regs, di);
      path = (const char *)BPF_CORE_READ(regs, si);
      event->kind = MCPSANDBOX_BEHAVIOUR_EXEC;
      break;
    case NR_CONNECT: {
      // A constant-size read (what the verifier accepts): sockaddr_in6's 28 bytes cover the
      // IPv4 and IPv6 endpoints a profile can list; unix sockets are not network endpoints.
      __u32 length = (__u32)BPF_CORE_READ(regs, dx);
      event->kind = MCPSANDBOX_BEHAVIOUR_CONNECT;
      event->length = length < 28 ? length : 28;
      if (bpf_probe_read_user(event->data, 28, (const void *)BPF_CORE_READ(regs, si)) < 0) return 0;
      break;
    }
    default:
      return 0;
  }
  if (path && bpf_probe_read_user_str(event->data, sizeof event->data, path) < 0) return 0;
  event->pid = bpf_get_current_pid_tgid() >> 32;
  __u32 thread = (__u32)bpf_get_current_pid_tgid();
  bpf_map_update_elem(&in_flight, &thread, event, BPF_ANY);
  return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(mcpsandbox_behaviour_exit, struct pt_regs *regs, long ret) {
  if (!in_sandbox()) return 0;
  __u32 thread = (__u32)bpf_get_current_pid_tgid();
  struct mcpsandbox_behaviour_event *pending = bpf_map_lookup_elem(&in_flight, &thread);
  if (!pending) return 0;
  struct mcpsandbox_behaviour_event *event = bpf_ringbuf_reserve(&events, sizeof *event, 0);
  if (event) {
    __builtin_memcpy(event, pending, sizeof *event);
    event->result = ret;
    bpf_ringbuf_submit(event, 0);
  }
  bpf_map_delete_elem(&in_flight, &thread);
  return 0;
}
