#include "profiles/syscall_policy.h"

namespace mcpsandbox {

const std::vector<std::string>& baseline_syscalls() {
  static const std::vector<std::string> kBaseline = {
      // files and directories
      "read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "pwritev", "preadv2",
      "pwritev2", "open", "openat", "openat2", "creat", "close", "close_range", "lseek", "stat",
      "fstat", "lstat", "newfstatat", "statx", "statfs", "fstatfs", "access", "faccessat",
      "faccessat2", "getdents", "getdents64", "getcwd", "chdir", "fchdir", "mkdir", "mkdirat",
      "rmdir", "rename", "renameat", "renameat2", "link", "linkat", "unlink", "unlinkat",
      "symlink", "symlinkat", "readlink", "readlinkat", "chmod", "fchmod", "fchmodat",
      "fchmodat2", "chown", "fchown", "fchownat", "lchown", "umask", "truncate", "ftruncate",
      "fallocate", "fadvise64", "readahead", "fsync", "fdatasync", "sync", "syncfs",
      "sync_file_range", "flock", "fcntl", "dup", "dup2", "dup3", "pipe", "pipe2", "splice",
      "tee", "sendfile", "copy_file_range", "utime", "utimes", "utimensat", "futimesat",
      "getxattr", "lgetxattr", "fgetxattr", "listxattr", "llistxattr", "flistxattr",
      "inotify_init", "inotify_init1", "inotify_add_watch", "inotify_rm_watch", "memfd_create",
      "ioctl", "mknod", "mknodat",  // device nodes need CAP_MKNOD, which is gone: FIFOs only
      // memory
      "brk", "mmap", "munmap", "mremap", "mprotect", "madvise", "mincore", "msync", "mlock",
      "mlock2", "munlock", "mlockall", "munlockall", "membarrier", "get_mempolicy",
      "set_mempolicy", "mbind",
      // processes, threads, signals
      "clone", "fork", "vfork", "execve", "execveat", "exit", "exit_group", "wait4", "waitid",
      "kill", "tkill", "tgkill", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn",
      "rt_sigpending", "rt_sigsuspend", "rt_sigtimedwait", "rt_sigqueueinfo",
      "rt_tgsigqueueinfo", "sigaltstack", "pause", "restart_syscall", "getpid", "getppid",
      "gettid", "getpgid", "getpgrp", "setpgid", "getsid", "setsid", "getuid", "geteuid",
      "getgid", "getegid", "getresuid", "getresgid", "getgroups", "setuid", "setgid",
      "setreuid", "setregid", "setresuid", "setresgid", "setfsuid", "setfsgid", "capget",
      "prctl", "arch_prctl", "set_tid_address", "set_robust_list", "get_robust_list", "rseq",
      "futex", "futex_waitv", "sched_yield", "sched_getaffinity", "sched_setaffinity",
      "sched_getparam", "sched_getscheduler", "sched_getattr", "sched_get_priority_max",
      "sched_get_priority_min", "getpriority", "setpriority", "ioprio_get", "getrlimit",
      "setrlimit", "prlimit64", "getrusage", "times", "pidfd_open", "pidfd_send_signal",
      "seccomp", "landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self",
      // time
      "clock_gettime", "clock_getres", "clock_nanosleep", "nanosleep", "gettimeofday", "time",
      "alarm", "getitimer", "setitimer", "timer_create", "timer_settime", "timer_gettime",
      "timer_getoverrun", "timer_delete", "timerfd_create", "timerfd_settime",
      "timerfd_gettime",
      // event loops
      "poll", "ppoll", "select", "pselect6", "epoll_create", "epoll_create1", "epoll_ctl",
      "epoll_wait", "epoll_pwait", "epoll_pwait2", "eventfd", "eventfd2", "signalfd",
      "signalfd4",
      // sockets (families and types are filtered by argument)
      "socket", "socketpair", "connect", "accept", "accept4", "bind", "listen", "shutdown",
      "getsockname", "getpeername", "getsockopt", "setsockopt", "sendto", "recvfrom", "sendmsg",
      "recvmsg", "sendmmsg", "recvmmsg",
      // System V IPC lives in the sandbox's own IPC namespace
      "shmget", "shmat", "shmdt", "shmctl", "semget", "semop", "semtimedop", "semctl",
      "msgget", "msgsnd", "msgrcv", "msgctl",
      // system information
      "uname", "sysinfo", "getrandom", "getcpu",
  };
  return kBaseline;
}

const std::vector<std::string>& always_killed_syscalls() {
  static const std::vector<std::string> kKilled = {
      "io_uring_setup", "io_uring_enter", "io_uring_register", "bpf", "perf_event_open",
      "userfaultfd", "kexec_load", "kexec_file_load", "init_module", "finit_module",
      "delete_module", "ptrace", "process_vm_readv", "process_vm_writev", "keyctl", "add_key",
      "request_key", "mount", "umount2", "pivot_root", "chroot", "fsopen", "fsconfig",
      "fsmount", "fspick", "move_mount", "open_tree", "mount_setattr", "unshare", "setns",
      "open_by_handle_at", "name_to_handle_at", "pidfd_getfd", "kcmp", "swapon", "swapoff",
      "reboot", "acct", "quotactl", "quotactl_fd", "syslog", "iopl", "ioperm", "vhangup",
      "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "lookup_dcookie", "uselib",
  };
  return kKilled;
}

}  // namespace mcpsandbox
