#include "launcher/net_egress.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "launcher/cgroup.h"
#include "proxy/io/unique_fd.h"

#include "launcher/bpf_types.h"
#include "net_egress.skel.h"

namespace mcpsandbox {

mcpsandbox_egress_rule to_bpf_rule(const EgressRule& rule) {
  mcpsandbox_egress_rule out{};
  out.family = static_cast<__u32>(rule.family == AF_INET ? MCPSANDBOX_AF_INET : MCPSANDBOX_AF_INET6);
  out.prefix_len = rule.prefix_len;
  std::memcpy(out.addr, rule.address.data(), sizeof out.addr);
  out.port = rule.port;
  return out;
}

namespace {

// BPF_CGROUP_UNIX_CONNECT (kernel 6.7); newer than this machine's headers and libbpf 1.1.
constexpr int kAttachUnixConnect = 49;

// Where the server may reach pathname unix sockets: its own /tmp (a tmpfs of its own) and what
// the profile lists. Not the grants: a directory granted for its files may hold a daemon's
// socket (an agent's, a database's), and connecting to it would hand the server that daemon.
std::vector<std::string> unix_socket_dirs(const Plan& plan, bool own_tmp) {
  std::vector<std::string> dirs = plan.unix_sockets;
  // A grant mounted beneath /tmp is the host's, not the sandbox's own: then /tmp is not.
  bool grant_in_tmp = std::any_of(plan.paths.begin(), plan.paths.end(), [](const PathGrant& grant) {
    return grant.kind != PathGrant::Kind::kSystem && (grant.path == "/tmp" || grant.path.rfind("/tmp/", 0) == 0);
  });
  if (own_tmp && !grant_in_tmp) dirs.push_back("/tmp");
  return dirs;
}

// Opens and loads the programs; without kernel support for unix connect programs, loads the
// others alone.
Result<net_egress*> load(size_t rule_count, size_t prefix_count, const std::vector<uint16_t>& bind_ports) {
  for (bool with_unix : {true, false}) {
    net_egress* skeleton = net_egress__open();
    if (!skeleton) return Error{std::string("cgroup-bpf: open: ") + std::strerror(errno)};
    skeleton->rodata->rule_count = static_cast<__u32>(rule_count);
    skeleton->rodata->unix_prefix_count = static_cast<__u32>(prefix_count);
    skeleton->rodata->bind_port_count = static_cast<__u32>(bind_ports.size());
    for (size_t i = 0; i < bind_ports.size(); ++i) skeleton->rodata->bind_ports[i] = bind_ports[i];
    bpf_program* unix_connect = skeleton->progs.mcpsandbox_connect_unix;
    if (with_unix) {
      bpf_program__set_expected_attach_type(unix_connect,
                                            static_cast<bpf_attach_type>(kAttachUnixConnect));
    } else {
      bpf_program__set_autoload(unix_connect, false);
    }
    int rc = net_egress__load(skeleton);
    if (rc == 0) return skeleton;
    net_egress__destroy(skeleton);
    if (!with_unix) return Error{std::string("cgroup-bpf: load: ") + std::strerror(-rc)};
  }
  return Error{"cgroup-bpf: load failed"};
}

}  // namespace

Result<EgressFilter> EgressFilter::attach(int cgroup_fd, const Plan& plan, bool own_tmp) {
  const std::vector<EgressRule>& rules = plan.egress;
  if (rules.size() > MCPSANDBOX_MAX_EGRESS_RULES) {
    return Error{"network.allow: at most " + std::to_string(MCPSANDBOX_MAX_EGRESS_RULES) +
                 " destinations"};
  }
  const std::vector<uint16_t>& bind_ports = plan.landlock.tcp_bind_ports;
  if (bind_ports.size() > MCPSANDBOX_MAX_BIND_PORTS) {
    return Error{"network.tcp_bind: at most " + std::to_string(MCPSANDBOX_MAX_BIND_PORTS) + " ports"};
  }
  std::vector<std::string> dirs = unix_socket_dirs(plan, own_tmp);
  if (dirs.size() > MCPSANDBOX_MAX_UNIX_PREFIXES) dirs.resize(MCPSANDBOX_MAX_UNIX_PREFIXES);
  auto loaded = load(rules.size(), dirs.size(), bind_ports);
  if (!loaded) return loaded.error();
  net_egress* skeleton = *loaded;
  EgressFilter filter(skeleton);
  for (__u32 i = 0; i < rules.size(); ++i) {
    mcpsandbox_egress_rule value = to_bpf_rule(rules[i]);
    if (bpf_map__update_elem(skeleton->maps.egress_rules, &i, sizeof i, &value, sizeof value, 0)) {
      return Error{std::string("cgroup-bpf: map update: ") + std::strerror(errno)};
    }
  }
  for (__u32 i = 0; i < dirs.size(); ++i) {
    mcpsandbox_unix_prefix prefix{};
    if (dirs[i].size() >= sizeof prefix.path) continue;  // longer than any socket path
    prefix.length = static_cast<__u32>(dirs[i].size());
    std::memcpy(prefix.path, dirs[i].data(), dirs[i].size());
    if (bpf_map__update_elem(skeleton->maps.unix_prefixes, &i, sizeof i, &prefix, sizeof prefix,
                             0)) {
      return Error{std::string("cgroup-bpf: unix prefix: ") + std::strerror(errno)};
    }
  }
  struct {
    bpf_program* program;
    bpf_link** link;
  } programs[] = {{skeleton->progs.mcpsandbox_connect4, &skeleton->links.mcpsandbox_connect4},
                  {skeleton->progs.mcpsandbox_connect6, &skeleton->links.mcpsandbox_connect6},
                  {skeleton->progs.mcpsandbox_sendmsg4, &skeleton->links.mcpsandbox_sendmsg4},
                  {skeleton->progs.mcpsandbox_sendmsg6, &skeleton->links.mcpsandbox_sendmsg6},
                  {skeleton->progs.mcpsandbox_sock_create, &skeleton->links.mcpsandbox_sock_create},
                  {skeleton->progs.mcpsandbox_bind4, &skeleton->links.mcpsandbox_bind4},
                  {skeleton->progs.mcpsandbox_bind6, &skeleton->links.mcpsandbox_bind6},
                  {skeleton->progs.mcpsandbox_ingress, &skeleton->links.mcpsandbox_ingress},
                  {skeleton->progs.mcpsandbox_connect_unix,
                   &skeleton->links.mcpsandbox_connect_unix}};
  for (auto& [program, link] : programs) {
    if (!bpf_program__autoload(program)) continue;
    *link = bpf_program__attach_cgroup(program, cgroup_fd);
    if (!*link) {
      return Error{std::string("cgroup-bpf: attach ") + bpf_program__name(program) + ": " +
                   std::strerror(errno)};
    }
  }
  return filter;
}

bool EgressFilter::refuses_unix_sockets() const {
  return skeleton_ && bpf_program__autoload(skeleton_->progs.mcpsandbox_connect_unix);
}

EgressFilter::EgressFilter(EgressFilter&& other) noexcept
    : skeleton_(std::exchange(other.skeleton_, nullptr)), denials_(std::move(other.denials_)) {}

EgressFilter& EgressFilter::operator=(EgressFilter&& other) noexcept {
  if (this != &other) {
    denials_.reset();
    if (skeleton_) net_egress__destroy(skeleton_);
    skeleton_ = std::exchange(other.skeleton_, nullptr);
    denials_ = std::move(other.denials_);
  }
  return *this;
}

EgressFilter::~EgressFilter() {
  denials_.reset();  // before the map it reads goes away
  if (skeleton_) net_egress__destroy(skeleton_);
}

EgressDenialReader::~EgressDenialReader() {
  if (ring) ring_buffer__free(ring);
}

namespace {

std::string address_text(const mcpsandbox_net_denial& event) {
  char text[INET6_ADDRSTRLEN] = "?";
  bool v4 = event.family == MCPSANDBOX_AF_INET;
  ::inet_ntop(v4 ? AF_INET : AF_INET6, event.addr, text, sizeof text);
  return v4 ? std::string(text) + ":" + std::to_string(event.port)
            : "[" + std::string(text) + "]:" + std::to_string(event.port);
}

// `context` is the filter's EgressDenialReader; it has no log yet while prove()'s trigger is
// dropped.
int report_net_denial(void* context, void* data, size_t size) {
  auto* violations = static_cast<EgressDenialReader*>(context)->violations;
  if (!violations || size < sizeof(mcpsandbox_net_denial)) return 0;
  const auto* event = static_cast<const mcpsandbox_net_denial*>(data);
  Violation violation;
  violation.layer = "L4 cgroup-bpf";
  switch (event->kind) {
    case MCPSANDBOX_NET_CONNECT: violation.action = "connect"; break;
    case MCPSANDBOX_NET_SENDMSG: violation.action = "sendmsg"; break;
    case MCPSANDBOX_NET_UNIX_CONNECT: violation.action = "unix connect"; break;
    case MCPSANDBOX_NET_RAW_SOCKET: violation.action = "raw socket"; break;
    case MCPSANDBOX_NET_MPTCP_SOCKET: violation.action = "MPTCP socket"; break;
    case MCPSANDBOX_NET_BIND: violation.action = "bind"; break;
    case MCPSANDBOX_NET_INBOUND: violation.action = "inbound"; break;
    default: violation.action = "?";
  }
  if (event->kind == MCPSANDBOX_NET_INBOUND) {
    // Seen in softirq context: no process of the sandbox is behind it, only a sender (a
    // datagram) or the listener's port (a connection request).
    violation.target = event->family ? "from " + address_text(*event) : "to port " + std::to_string(event->port);
    violations->report(violation);
    return 0;
  }
  if (event->kind == MCPSANDBOX_NET_CONNECT || event->kind == MCPSANDBOX_NET_SENDMSG ||
      event->kind == MCPSANDBOX_NET_BIND) {
    violation.target = address_text(*event);
  } else if (event->kind == MCPSANDBOX_NET_UNIX_CONNECT) {
    violation.target.assign(event->path, strnlen(event->path, sizeof event->path));
  }
  violation.pid = event->pid;
  violation.comm.assign(event->comm, strnlen(event->comm, sizeof event->comm));
  violations->report(violation);
  return 0;
}

}  // namespace

Result<void> EgressFilter::open_denials() {
  if (denials_) return {};
  auto reader = std::make_unique<EgressDenialReader>();
  reader->ring = ring_buffer__new(bpf_map__fd(skeleton_->maps.net_denials), report_net_denial,
                                  reader.get(), nullptr);
  if (!reader->ring) return Error{std::string("cgroup-bpf: denial ring buffer: ") + std::strerror(errno)};
  denials_ = std::move(reader);
  return {};
}

Result<void> EgressFilter::discard_denials() {
  if (auto opened = open_denials(); !opened) return opened;
  ring_buffer__consume(denials_->ring);  // no log yet: dropped
  return {};
}

Result<void> EgressFilter::watch_denials(EventLoop& loop, ViolationLog& violations) {
  if (auto opened = open_denials(); !opened) return opened;
  denials_->violations = &violations;
  EgressDenialReader* reader = denials_.get();
  return loop.watch(ring_buffer__epoll_fd(reader->ring), EPOLLIN,
                    [reader](uint32_t) { ring_buffer__consume(reader->ring); });
}

void EgressFilter::drain_denials() {
  if (denials_ && denials_->ring) ring_buffer__consume(denials_->ring);
}

Result<void> EgressFilter::set_call_grant(uint32_t slot, const EgressRule* rule) {
  if (slot >= MCPSANDBOX_MAX_CALL_GRANTS) return Error{"no call grant slot " + std::to_string(slot)};
  mcpsandbox_egress_rule value{};  // family 0: matches nothing
  if (rule) value = to_bpf_rule(*rule);
  if (bpf_map__update_elem(skeleton_->maps.call_grants, &slot, sizeof slot, &value, sizeof value, BPF_ANY) != 0) {
    return Error{std::string("call grant: map update: ") + std::strerror(errno)};
  }
  return {};
}

Result<void> EgressFilter::prove(int cgroup_fd) const {
  // The launcher is root, so only the sock_create program can refuse this child a raw socket.
  auto refused = run_in_cgroup(cgroup_fd, [] {
    return ::socket(AF_INET, SOCK_RAW, IPPROTO_ICMP) < 0 && errno == EPERM;
  });
  if (!refused) return refused.error();
  if (!*refused) return Error{"cgroup-bpf programs attach but do not enforce (a raw socket was allowed)"};
  return {};
}

FeatureProbe EgressFilter::probe() {
  auto cgroup = ScratchCgroup::create("probe");
  if (!cgroup) return {false, cgroup.error().message};
  Plan nothing_granted;
  nothing_granted.isolate_network = false;
  auto filter = attach(cgroup->fd(), nothing_granted, false);
  if (!filter) return {false, filter.error().message};
  if (auto proven = filter->prove(cgroup->fd()); !proven) return {false, proven.error().message};
  return {true, "connect4/6, sendmsg4/6, bind4/6, ingress, sock_create, connect_unix (load, attach and trigger passed)"};
}

}  // namespace mcpsandbox
