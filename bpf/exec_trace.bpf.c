// L7 tracing: every exec and process exit inside the sandbox's cgroup, as events for
// mcpsandbox's log. tp_btf programs, so they attach where BPF LSM cannot (our CI VMs).
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "mcpsandbox_types.h"

char LICENSE[] SEC("license") = "GPL";

// The sandbox's cgroup v2 id, set by the loader before load.
const volatile __u64 sandbox_cgroup_id = 0;

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 256 * 1024);
} events SEC(".maps");

static __always_inline struct mcpsandbox_event *start_event(__u32 kind) {
  if (bpf_get_current_cgroup_id() != sandbox_cgroup_id) return 0;
  struct mcpsandbox_event *event = bpf_ringbuf_reserve(&events, sizeof *event, 0);
  if (!event) return 0;
  struct task_struct *task = (struct task_struct *)bpf_get_current_task_btf();
  event->kind = kind;
  event->pid = bpf_get_current_pid_tgid() >> 32;
  event->ppid = BPF_CORE_READ(task, real_parent, tgid);
  event->exit_code = 0;
  event->cgroup_id = sandbox_cgroup_id;
  return event;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(mcpsandbox_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm) {
  struct mcpsandbox_event *event = start_event(MCPSANDBOX_EVENT_EXEC);
  if (!event) return 0;
  bpf_probe_read_kernel_str(event->path, sizeof event->path, BPF_CORE_READ(bprm, filename));
  bpf_ringbuf_submit(event, 0);
  return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(mcpsandbox_exit, struct task_struct *task) {
  // Threads exit too; only a whole process ending is an event.
  if (BPF_CORE_READ(task, pid) != BPF_CORE_READ(task, tgid)) return 0;
  struct mcpsandbox_event *event = start_event(MCPSANDBOX_EVENT_EXIT);
  if (!event) return 0;
  event->exit_code = BPF_CORE_READ(task, exit_code);
  bpf_get_current_comm(event->path, sizeof event->path);
  bpf_ringbuf_submit(event, 0);
  return 0;
}
