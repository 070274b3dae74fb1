// L4 cgroup-bpf policy of one sandbox on the host network, attached to its cgroup: connect()
// and sendmsg() (UDP) reach only the profile's destinations, raw and MPTCP sockets cannot be
// created, and nothing reaches the sandbox from outside unless it asked: no bind() to a port
// the profile does not list, no connection request to a listener outside those ports (listen()
// without bind() picks a port itself), no datagram to an unconnected socket except from a
// destination the sandbox may reach (its resolver's answer).
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

// The ports of network.tcp_bind, host byte order.
const volatile __u32 bind_port_count = 0;
const volatile __u16 bind_ports[MCPSANDBOX_MAX_BIND_PORTS] = {};

#define PROTO_TCP 6
#define PROTO_UDP 17
#define SOCK_TYPE_STREAM 1

static __always_inline int bind_port_listed(__u16 port) {
  for (__u32 i = 0; i < MCPSANDBOX_MAX_BIND_PORTS; i++) {
    if (i >= bind_port_count) break;
    if (bind_ports[i] == port) return 1;
  }
  return 0;
}

// TCP only on a listed port; UDP only on port 0 (an ephemeral port, as a client binds).
static __always_inline int check_bind(struct bpf_sock_addr *ctx, __u32 family, const __u8 *addr) {
  __u16 port = bpf_ntohs((__u16)ctx->user_port);
  if (ctx->type == SOCK_TYPE_STREAM ? bind_port_listed(port) : port == 0) return 1;
  return refuse_address(MCPSANDBOX_NET_BIND, family, addr, port);
}

SEC("cgroup/bind4")
int mcpsandbox_bind4(struct bpf_sock_addr *ctx) {
  __u8 addr[16] = {};
  __u32 ip = ctx->user_ip4;
  __builtin_memcpy(addr, &ip, 4);
  return check_bind(ctx, MCPSANDBOX_AF_INET, addr);
}

SEC("cgroup/bind6")
int mcpsandbox_bind6(struct bpf_sock_addr *ctx) {
  __u8 addr[16] = {};
  __u32 words[4] = {ctx->user_ip6[0], ctx->user_ip6[1], ctx->user_ip6[2], ctx->user_ip6[3]};
  __builtin_memcpy(addr, words, 16);
  return check_bind(ctx, MCPSANDBOX_AF_INET6, addr);
}

// Where a datagram comes from, read from its IP and UDP headers (the socket's own remote
// address is empty when it is unconnected). 0 when the headers cannot be read.
static __always_inline int datagram_source(struct __sk_buff *skb, __u32 *family, __u8 *addr, __u16 *port) {
  __u8 version = 0;
  if (bpf_skb_load_bytes(skb, 0, &version, 1)) return 0;
  __u32 udp_at;
  if ((version >> 4) == 4) {
    __u8 protocol = 0;
    if (bpf_skb_load_bytes(skb, 9, &protocol, 1) || protocol != PROTO_UDP) return 0;
    if (bpf_skb_load_bytes(skb, 12, addr, 4)) return 0;
    *family = MCPSANDBOX_AF_INET;
    udp_at = (version & 0xf) * 4;
  } else if ((version >> 4) == 6) {
    __u8 next = 0;  // extension headers are not followed: such a datagram is refused
    if (bpf_skb_load_bytes(skb, 6, &next, 1) || next != PROTO_UDP) return 0;
    if (bpf_skb_load_bytes(skb, 8, addr, 16)) return 0;
    *family = MCPSANDBOX_AF_INET6;
    udp_at = 40;
  } else {
    return 0;
  }
  __u16 source_port = 0;
  if (bpf_skb_load_bytes(skb, udp_at & 0x3f, &source_port, 2)) return 0;
  *port = bpf_ntohs(source_port);
  return 1;
}

// The event has no process (softirq): its pid and comm are whatever ran.
static __always_inline int refuse_inbound(__u32 family, const __u8 *addr, __u16 port) {
  struct mcpsandbox_net_denial *event = bpf_ringbuf_reserve(&net_denials, sizeof *event, 0);
  if (event) {
    __builtin_memset(event, 0, sizeof *event);
    event->kind = MCPSANDBOX_NET_INBOUND;
    event->family = family;
    event->port = port;
    __builtin_memcpy(event->addr, addr, 16);
    bpf_ringbuf_submit(event, 0);
  }
  return 0;
}

SEC("cgroup_skb/ingress")
int mcpsandbox_ingress(struct __sk_buff *skb) {
  struct bpf_sock *sk = skb->sk;
  if (!sk) return 1;
  sk = bpf_sk_fullsock(sk);
  if (!sk) return 1;  // a connection's request or time-wait socket: already admitted
  __u8 addr[16] = {};
  if (sk->protocol == PROTO_TCP) {
    // Segments of connections the sandbox made or accepted pass; only a listener outside
    // network.tcp_bind is closed to the outside (its SYN is dropped).
    if (sk->state != BPF_TCP_LISTEN || bind_port_listed((__u16)sk->src_port)) return 1;
    return refuse_inbound(0, addr, (__u16)sk->src_port);  // family 0: the listener's port
  }
  if (sk->protocol != PROTO_UDP || sk->state == BPF_TCP_ESTABLISHED) return 1;  // connected: its peer only
  __u32 family = 0;
  __u16 port = 0;
  if (datagram_source(skb, &family, addr, &port) && destination_allowed(family, addr, port)) return 1;
  return refuse_inbound(family, addr, port);
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
