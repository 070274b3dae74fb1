/* Types shared by the eBPF programs and their C++ loaders. Plain C with fixed-width kernel
 * types; the C++ side checks the layout with static_asserts (launcher/net_egress.cpp), so a
 * change here that breaks the ABI between the two fails the build. */
#ifndef MCPSANDBOX_BPF_TYPES_H
#define MCPSANDBOX_BPF_TYPES_H

#define MCPSANDBOX_MAX_EGRESS_RULES 64
/* Call-scoped grants (issue #9): destinations added while a tool call is in flight. An empty
 * slot has family 0 and matches nothing. */
#define MCPSANDBOX_MAX_CALL_GRANTS 64
#define MCPSANDBOX_AF_INET 2
#define MCPSANDBOX_AF_INET6 10
#define MCPSANDBOX_PATH_BYTES 256

/* One allowed destination: an address prefix and a port (0: any port). Addresses are in
 * network byte order; IPv4 uses the first 4 bytes. */
struct mcpsandbox_egress_rule {
  __u32 family;
  __u32 prefix_len;
  __u8 addr[16];
  __u16 port;
  __u16 reserved0;
  __u32 reserved1;
};

/* L4 pathname unix sockets the sandbox may connect to: those beneath these directories. */
#define MCPSANDBOX_MAX_UNIX_PREFIXES 16
#define MCPSANDBOX_UNIX_PATH_BYTES 108

struct mcpsandbox_unix_prefix {
  __u32 length;
  char path[MCPSANDBOX_UNIX_PATH_BYTES];
};

/* L4 denials, through the egress programs' own ring buffer (read by the sandbox's mcpsandbox). */
#define MCPSANDBOX_NET_DENIAL_RING_BYTES (64 * 1024)
#define MCPSANDBOX_NET_CONNECT 1
#define MCPSANDBOX_NET_SENDMSG 2
#define MCPSANDBOX_NET_UNIX_CONNECT 3
#define MCPSANDBOX_NET_RAW_SOCKET 4
#define MCPSANDBOX_NET_MPTCP_SOCKET 5
#define MCPSANDBOX_NET_BIND 6    /* bind() to a port the profile does not list */
#define MCPSANDBOX_NET_INBOUND 7 /* a connection request or unasked datagram from outside */

/* network.tcp_bind: the ports a host-network sandbox may listen on. */
#define MCPSANDBOX_MAX_BIND_PORTS 16

struct mcpsandbox_net_denial {
  __u32 kind;
  __u32 pid;
  __u32 family; /* MCPSANDBOX_AF_INET / _INET6 for connect and sendmsg */
  __u16 port;   /* host byte order */
  __u16 reserved;
  __u8 addr[16];
  char comm[16];
  char path[MCPSANDBOX_UNIX_PATH_BYTES]; /* unix connect: the socket path */
  __u32 reserved1;
};

/* L5 filesystem rules: a granted file or directory (by device and inode) of one sandbox and
 * the rights beneath it. */
#define MCPSANDBOX_RIGHT_READ 1
#define MCPSANDBOX_RIGHT_WRITE 2
#define MCPSANDBOX_RIGHT_EXEC 4 /* map for execution (libraries); execve too unless RUN_GRANTED */
#define MCPSANDBOX_RIGHT_RUN 8  /* execve, in sandboxes with MCPSANDBOX_SANDBOX_RUN_GRANTED */

struct mcpsandbox_inode_key {
  __u64 cgroup_id;
  __u32 dev; /* kernel encoding: major << 20 | minor */
  __u32 reserved;
  __u64 ino;
};

/* Per-sandbox flags in the sandbox map. */
#define MCPSANDBOX_SANDBOX_OWN_MOUNTS 1 /* tmpfs/proc/overlay it sees are its own (namespaced) */
#define MCPSANDBOX_SANDBOX_STARTED 2    /* its setup is done and the server runs */
#define MCPSANDBOX_SANDBOX_HOST_NETWORK 4 /* shares the host network: connect() is checked */
#define MCPSANDBOX_SANDBOX_DENY_WX 8      /* no memory both writable and executable */
#define MCPSANDBOX_SANDBOX_RUN_GRANTED 16 /* execve needs RIGHT_RUN (filesystem.exec) */
#define MCPSANDBOX_SANDBOX_NAMED_GRANTS 32 /* call grants by name may exist: look them up */
#define MCPSANDBOX_SANDBOX_RULES_SHIFT 8  /* the number of egress rules, above the flags */
#define MCPSANDBOX_SANDBOX_BINDS_SHIFT 16 /* the number of bindable ports, above those */
#define MCPSANDBOX_BIND_INDEX_BASE 64     /* egress map indexes of the bindable ports */
/* Egress map indexes of the call-scoped connect grants: slot N (the same slot as L4's
 * call_grants array) is index MCPSANDBOX_GRANT_INDEX_BASE + N, present only while granted. */
#define MCPSANDBOX_GRANT_INDEX_BASE 128

/* Call-scoped grants by name, for what a call may create, rename or delete in a directory (a
 * write grant for a file that does not exist yet, or its temporary siblings `NAME.*` that an
 * atomic replacement writes and renames): a longest-prefix-match trie over (sandbox, directory,
 * name), so one entry is either an exact name (its NUL included) or a name prefix. */
#define MCPSANDBOX_NAME_BYTES 64
#define MCPSANDBOX_NAMED_FIXED_BITS 160 /* cgroup_id, ino and dev: always matched in full */

struct mcpsandbox_named_key {
  __u32 prefixlen; /* bits of what follows that must match */
  __u32 dev;       /* the directory's */
  __u64 cgroup_id;
  __u64 ino;
  char name[MCPSANDBOX_NAME_BYTES]; /* zero-padded */
};

struct mcpsandbox_egress_key {
  __u64 cgroup_id;
  __u32 index;
  __u32 reserved;
};

/* L5 denial events, one ring buffer per sandbox (a map of maps keyed by cgroup id). */
#define MCPSANDBOX_DENIAL_RING_BYTES (64 * 1024)
#define MCPSANDBOX_HOOK_FILE_OPEN 1
#define MCPSANDBOX_HOOK_EXEC 2
#define MCPSANDBOX_HOOK_MMAP_EXEC 3
#define MCPSANDBOX_HOOK_DIR_CHANGE 4
#define MCPSANDBOX_HOOK_SIGNAL 5
#define MCPSANDBOX_HOOK_PTRACE 6
#define MCPSANDBOX_HOOK_MOUNT 7
#define MCPSANDBOX_HOOK_BPF 8
#define MCPSANDBOX_HOOK_WX_MEMORY 9
#define MCPSANDBOX_HOOK_CONNECT 10
#define MCPSANDBOX_HOOK_BIND 11
#define MCPSANDBOX_HOOK_SET_ID 12 /* a set-id bit or a file capability */

struct mcpsandbox_denial {
  __u32 hook;
  __u32 pid;
  __u32 needed;   /* rights asked for (file hooks) */
  __u32 target;   /* pid of the target task (signal, ptrace) */
  __u64 ino;      /* inode of the object (file hooks) */
  char comm[16];
  char path[MCPSANDBOX_PATH_BYTES]; /* file_open: the path; others: the name, when known */
};

/* L7 trace events from the sandbox's processes, through a ring buffer. */
#define MCPSANDBOX_EVENT_EXEC 1
#define MCPSANDBOX_EVENT_EXIT 2

struct mcpsandbox_event {
  __u32 kind;
  __u32 pid;        /* host pid (thread group id) */
  __u32 ppid;
  __s32 exit_code;  /* wait status for EXIT */
  __u64 cgroup_id;
  char path[MCPSANDBOX_PATH_BYTES]; /* EXEC: the file executed; EXIT: the task's comm */
};


/* Behaviour tracing (learning runs, `profile generate --learn`): every system call of the
 * sandbox is counted, and each open, exec and connect is reported with its outcome. */
#define MCPSANDBOX_SYSCALL_SLOTS 512
#define MCPSANDBOX_BEHAVIOUR_OPEN 1
#define MCPSANDBOX_BEHAVIOUR_EXEC 2
#define MCPSANDBOX_BEHAVIOUR_CONNECT 3

struct mcpsandbox_behaviour_event {
  __u32 kind;
  __u32 pid;
  __s64 result;  /* the system call's return value (negative errno) */
  __u32 flags;   /* open: O_* flags */
  __s32 dirfd;   /* open: the directory fd a relative path starts at */
  __u32 length;  /* connect: sockaddr bytes in data */
  __u32 reserved;
  char data[MCPSANDBOX_PATH_BYTES]; /* path, or the raw sockaddr for connect */
};

#endif
