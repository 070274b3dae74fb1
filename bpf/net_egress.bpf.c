// L4 cgroup-bpf egress policy of one sandbox, attached to its cgroup: connect() and sendmsg()
// (UDP) reach only the profile's destinations, and raw and MPTCP sockets cannot be created.
#include "vmlinux.h"

#include <bpf/bpf_endian.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "egress_match.bpf.h"
#include "mcpsandbox_types.h"

#define SOCK_TYPE_RAW 3
#define PROTO_MPTCP 262

char LICENSE[] SEC("license") = "GPL";

// Set by the loader before the programs are loaded (read-only data).
const volatile __u32 rule_count = 0;

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, MCPSANDBOX_MAX_EGRESS_RULES);
  __type(key, __u32);
  __type(value, struct mcpsandbox_egress_rule);
} egress_rules SEC(".maps");

// Destinations granted to the tool calls now in flight, written and cleared by the proxy as
// calls start and end (launcher/call_grants.cpp).
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, MCPSANDBOX_MAX_CALL_GRANTS);
  __type(key, __u32);
  __type(value, struct mcpsandbox_egress_rule);
} call_grants SEC(".maps");

// What was refused, for the sandbox's audit log (the loader reads this ring buffer). A full
// ring loses the event, never the refusal.
struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, MCPSANDBOX_NET_DENIAL_RING_BYTES);
} net_denials SEC(".maps");

static __always_inline struct mcpsandbox_net_denial *start_denial(__u32 kind) {
  struct mcpsandbox_net_denial *event = bpf_ringbuf_reserve(&net_denials, sizeof *event, 0);
  if (!event) return 0;
  __builtin_memset(event, 0, sizeof *event);
  event->kind = kind;
  event->pid = bpf_get_current_pid_tgid() >> 32;
  bpf_get_current_comm(event->comm, sizeof event->comm);
  return event;
}

static __always_inline int refuse_address(__u32 kind, __u32 family, const __u8 *addr, __u16 port) {
  struct mcpsandbox_net_denial *event = start_denial(kind);
  if (event) {
    event->family = family;
    event->port = port;
    __builtin_memcpy(event->addr, addr, 16);
    bpf_ringbuf_submit(event, 0);
  }
  return 0;
}

static __always_inline int destination_allowed(__u32 family, const __u8 *addr, __u16 port) {
  for (__u32 i = 0; i < MCPSANDBOX_MAX_EGRESS_RULES; i++) {
    if (i >= rule_count) break;
    __u32 key = i;
    struct mcpsandbox_egress_rule *rule = bpf_map_lookup_elem(&egress_rules, &key);
    if (!rule) break;
    if (egress_rule_matches(rule, family, addr, port)) return 1;
  }
  for (__u32 i = 0; i < MCPSANDBOX_MAX_CALL_GRANTS; i++) {
    __u32 key = i;
    struct mcpsandbox_egress_rule *rule = bpf_map_lookup_elem(&call_grants, &key);
    if (!rule) break;
    if (rule->family && egress_rule_matches(rule, family, addr, port)) return 1;
  }
  return 0;
}

static __always_inline int check4(struct bpf_sock_addr *ctx, __u32 kind) {
  __u8 addr[16] = {};
  __u32 ip = ctx->user_ip4;
  __builtin_memcpy(addr, &ip, 4);
  __u16 port = bpf_ntohs((__u16)ctx->user_port);
  if (destination_allowed(MCPSANDBOX_AF_INET, addr, port)) return 1;
  return refuse_address(kind, MCPSANDBOX_AF_INET, addr, port);
}

static __always_inline int check6(struct bpf_sock_addr *ctx, __u32 kind) {
  __u8 addr[16] = {};
  __u32 words[4] = {ctx->user_ip6[0], ctx->user_ip6[1], ctx->user_ip6[2], ctx->user_ip6[3]};
  __builtin_memcpy(addr, words, 16);
  __u16 port = bpf_ntohs((__u16)ctx->user_port);
  if (destination_allowed(MCPSANDBOX_AF_INET6, addr, port)) return 1;
  return refuse_address(kind, MCPSANDBOX_AF_INET6, addr, port);
}

SEC("cgroup/connect4")
int mcpsandbox_connect4(struct bpf_sock_addr *ctx) { return check4(ctx, MCPSANDBOX_NET_CONNECT); }

SEC("cgroup/connect6")
int mcpsandbox_connect6(struct bpf_sock_addr *ctx) { return check6(ctx, MCPSANDBOX_NET_CONNECT); }

SEC("cgroup/sendmsg4")
int mcpsandbox_sendmsg4(struct bpf_sock_addr *ctx) { return check4(ctx, MCPSANDBOX_NET_SENDMSG); }

SEC("cgroup/sendmsg6")
int mcpsandbox_sendmsg6(struct bpf_sock_addr *ctx) { return check6(ctx, MCPSANDBOX_NET_SENDMSG); }

// Pathname unix sockets (kernel 6.7+): only beneath the sandbox's granted directories. The
// loader retargets this program to BPF_CGROUP_UNIX_CONNECT, which libbpf 1.1 has no section
// name for, and leaves it out on older kernels.
const volatile __u32 unix_prefix_count = 0;

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, MCPSANDBOX_MAX_UNIX_PREFIXES);
  __type(key, __u32);
  __type(value, struct mcpsandbox_unix_prefix);
} unix_prefixes SEC(".maps");

extern void *bpf_cast_to_kern_ctx(void *obj) __ksym;
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

static __always_inline int under_prefix(const char *path, const struct mcpsandbox_unix_prefix *prefix) {
  __u32 length = prefix->length;
  if (length == 0 || length >= MCPSANDBOX_UNIX_PATH_BYTES) return 0;
  for (__u32 i = 0; i < MCPSANDBOX_UNIX_PATH_BYTES; i++) {
    if (i >= length) break;
    if (path[i] != prefix->path[i]) return 0;
  }
  // The path buffer is 128 bytes (zeroed past sun_path), so this mask keeps the index in range
  // for the verifier without changing it.
  char next = path[length & 127];
  return next == 0 || next == '/';
}

SEC("cgroup/connect4")
int mcpsandbox_connect_unix(struct bpf_sock_addr *ctx) {
  struct bpf_sock_addr_kern *kern = bpf_cast_to_kern_ctx(ctx);
  struct sockaddr_un *address =
      bpf_rdonly_cast(kern->uaddr, bpf_core_type_id_kernel(struct sockaddr_un));
  char path[128] = {};
  bpf_probe_read_kernel(path, MCPSANDBOX_UNIX_PATH_BYTES, address->sun_path);
  if (path[0] == 0) return 1;  // abstract: scoped by Landlock (ABI 6) instead
  for (__u32 i = 0; i < MCPSANDBOX_MAX_UNIX_PREFIXES; i++) {
    if (i >= unix_prefix_count) break;
    __u32 key = i;
    struct mcpsandbox_unix_prefix *prefix = bpf_map_lookup_elem(&unix_prefixes, &key);
    if (prefix && under_prefix(path, prefix)) return 1;
  }
  struct mcpsandbox_net_denial *event = start_denial(MCPSANDBOX_NET_UNIX_CONNECT);
  if (event) {
    __builtin_memcpy(event->path, path, MCPSANDBOX_UNIX_PATH_BYTES);
    bpf_ringbuf_submit(event, 0);
  }
  return 0;
}

SEC("cgroup/sock_create")
int mcpsandbox_sock_create(struct bpf_sock *sk) {
  __u32 kind = sk->type == SOCK_TYPE_RAW       ? MCPSANDBOX_NET_RAW_SOCKET
               : sk->protocol == PROTO_MPTCP ? MCPSANDBOX_NET_MPTCP_SOCKET
                                             : 0;
  if (!kind) return 1;
  struct mcpsandbox_net_denial *event = start_denial(kind);
  if (event) bpf_ringbuf_submit(event, 0);
  return 0;
}
