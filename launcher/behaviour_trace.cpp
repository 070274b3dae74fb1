#include "launcher/behaviour_trace.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <fcntl.h>
#include <seccomp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <utility>

#include "launcher/bpf_types.h"
#include "behaviour_trace.skel.h"

namespace mcpsandbox {
namespace {

constexpr auto kProgressEvery = std::chrono::seconds(2);

// "ADDR:PORT" as profiles write egress rules; empty for unix and other families (not network).
// `loopback` says whether it is this machine (or the sandbox's own namespace).
std::string endpoint_of(const mcpsandbox_behaviour_event& event, bool& loopback) {
  loopback = false;
  char text[INET6_ADDRSTRLEN] = {};
  sa_family_t family = 0;
  if (event.length >= sizeof family) std::memcpy(&family, event.data, sizeof family);
  if (family == AF_INET && event.length >= sizeof(sockaddr_in)) {
    sockaddr_in address{};
    std::memcpy(&address, event.data, sizeof address);
    loopback = (ntohl(address.sin_addr.s_addr) >> 24) == 127;
    ::inet_ntop(AF_INET, &address.sin_addr, text, sizeof text);
    return std::string(text) + ":" + std::to_string(ntohs(address.sin_port));
  }
  if (family == AF_INET6 && event.length >= sizeof(sockaddr_in6)) {
    sockaddr_in6 address{};
    std::memcpy(&address, event.data, sizeof address);
    loopback = IN6_IS_ADDR_LOOPBACK(&address.sin6_addr);
    ::inet_ntop(AF_INET6, &address.sin6_addr, text, sizeof text);
    return "[" + std::string(text) + "]:" + std::to_string(ntohs(address.sin6_port));
  }
  return "";
}

// A relative path opened from the working directory, made absolute through the process's cwd
// (the sandbox shows grants at their host paths); other relative opens cannot be placed.
std::string absolute_path(const mcpsandbox_behaviour_event& event) {
  std::string path(event.data, strnlen(event.data, sizeof event.data));
  if (path.empty() || path.front() == '/') return path;
  if (event.dirfd != AT_FDCWD) return "";
  char cwd[4096];
  std::string link = "/proc/" + std::to_string(event.pid) + "/cwd";
  ssize_t n = ::readlink(link.c_str(), cwd, sizeof cwd - 1);
  if (n <= 0) return "";
  return std::string(cwd, static_cast<size_t>(n)) + "/" + path;
}

bool exists_on_host(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0;
}

}  // namespace

class BehaviourTrace::Collector {
 public:
  explicit Collector(const Logger& logger) : logger_(logger) {}

  static int on_event(void* context, void* data, size_t size) {
    if (size < sizeof(mcpsandbox_behaviour_event)) return 0;
    static_cast<Collector*>(context)->record(*static_cast<const mcpsandbox_behaviour_event*>(data));
    return 0;
  }

  void record(const mcpsandbox_behaviour_event& event);
  void report_progress();
  void note_connect(const std::string& endpoint, int64_t result);
  void fill(ObservedBehaviour& observed) const;
  std::function<void(const ObservedEffect&)> observer;
  bool report_progress_lines = true;

 private:
  struct FileSeen {
    bool written = false, write_tried = false;
    bool opened = false;  // at least one open succeeded
  };
  const Logger& logger_;
  std::map<std::string, FileSeen> files_;
  std::set<std::string> execs_, endpoints_;
  std::map<std::string, std::string> refused_endpoints_;  // endpoint -> the error's name
  uint64_t events_seen_ = 0;
  std::chrono::steady_clock::time_point last_progress_ = std::chrono::steady_clock::now();
};

BehaviourTrace::BehaviourTrace(behaviour_trace* skeleton, const Logger& logger)
    : skeleton_(skeleton), collector_(std::make_unique<Collector>(logger)) {}

Result<BehaviourTrace> BehaviourTrace::attach(int cgroup_fd, const Logger& logger) {
  struct stat info {};
  if (::fstat(cgroup_fd, &info) < 0) return Error{std::string("learning: stat cgroup: ") + std::strerror(errno)};
  behaviour_trace* skeleton = behaviour_trace__open();
  if (!skeleton) return Error{std::string("learning: open: ") + std::strerror(errno)};
  BehaviourTrace trace(skeleton, logger);
  skeleton->rodata->sandbox_cgroup_id = info.st_ino;  // a cgroup v2 id is its directory's inode
  if (int rc = behaviour_trace__load(skeleton); rc) {
    return Error{std::string("learning: load: ") + std::strerror(-rc)};
  }
  if (int rc = behaviour_trace__attach(skeleton); rc) {
    return Error{std::string("learning: attach: ") + std::strerror(-rc)};
  }
  trace.events_ = ring_buffer__new(bpf_map__fd(skeleton->maps.events), Collector::on_event,
                                   trace.collector_.get(), nullptr);
  if (!trace.events_) return Error{std::string("learning: ring buffer: ") + std::strerror(errno)};
  return trace;
}

BehaviourTrace::BehaviourTrace(BehaviourTrace&& other) noexcept
    : skeleton_(std::exchange(other.skeleton_, nullptr)),
      events_(std::exchange(other.events_, nullptr)),
      collector_(std::move(other.collector_)) {}

BehaviourTrace::~BehaviourTrace() {
  if (events_) ring_buffer__free(events_);
  if (skeleton_) behaviour_trace__destroy(skeleton_);
}

Result<void> BehaviourTrace::watch(EventLoop& loop) {
  return loop.watch(ring_buffer__epoll_fd(events_), EPOLLIN, [this](uint32_t) {
    ring_buffer__consume(events_);
    collector_->report_progress();
  });
}

void BehaviourTrace::observe(std::function<void(const ObservedEffect&)> observer) {
  collector_->observer = std::move(observer);
  collector_->report_progress_lines = false;  // a session, not a learning run
}

void BehaviourTrace::drain() {
  if (events_) ring_buffer__consume(events_);
}

void BehaviourTrace::Collector::record(const mcpsandbox_behaviour_event& event) {
  ++events_seen_;
  ObservedEffect effect;
  effect.result = event.result;
  effect.pid = event.pid;
  switch (event.kind) {
    case MCPSANDBOX_BEHAVIOUR_OPEN: {
      effect.what = absolute_path(event);
      if (effect.what.empty()) return;
      effect.write = (event.flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC)) != 0;
      FileSeen& seen = files_[effect.what];
      // Written only if a write open succeeded: a refused one is a wish, not a need.
      seen.written = seen.written || (effect.write && event.result >= 0);
      seen.write_tried = seen.write_tried || effect.write;
      seen.opened = seen.opened || event.result >= 0;
      break;
    }
    case MCPSANDBOX_BEHAVIOUR_EXEC:
      effect.kind = ObservedEffect::Kind::kExec;
      effect.what = std::string(event.data, strnlen(event.data, sizeof event.data));
      if (event.result == 0) execs_.insert(effect.what);
      break;
    case MCPSANDBOX_BEHAVIOUR_CONNECT: {
      effect.kind = ObservedEffect::Kind::kConnect;
      bool loopback = false;
      effect.what = endpoint_of(event, loopback);
      if (effect.what.empty()) return;  // unix sockets: not network endpoints
      // A learned profile lists the outside world, and only what the sandbox let through.
      if (!loopback) note_connect(effect.what, event.result);
      break;
    }
    default:
      return;
  }
  if (observer) observer(effect);
}

void BehaviourTrace::Collector::note_connect(const std::string& endpoint, int64_t result) {
  // Non-blocking connects report EINPROGRESS: let through, still under way.
  bool let_through = result == 0 || result == -EINPROGRESS || result == -EALREADY || result == -EISCONN;
  if (let_through) {
    endpoints_.insert(endpoint);
    refused_endpoints_.erase(endpoint);
  } else if (!endpoints_.count(endpoint)) {
    const char* name = strerrorname_np(static_cast<int>(-result));
    refused_endpoints_[endpoint] = name ? name : std::to_string(-result);
  }
}

void BehaviourTrace::Collector::report_progress() {
  if (!report_progress_lines) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_progress_ < kProgressEvery) return;
  last_progress_ = now;
  logger_.notice("learning: " + std::to_string(events_seen_) + " opens/execs/connects, " +
                  std::to_string(files_.size()) + " files, " + std::to_string(execs_.size()) +
                  " programs, " + std::to_string(endpoints_.size()) + " endpoints so far");
}

ObservedBehaviour BehaviourTrace::observed() const {
  ObservedBehaviour observed;
  collector_->fill(observed);
  int counts_fd = bpf_map__fd(skeleton_->maps.syscall_counts);
  for (uint32_t nr = 0; nr < MCPSANDBOX_SYSCALL_SLOTS; ++nr) {
    uint64_t count = 0;
    if (bpf_map_lookup_elem(counts_fd, &nr, &count) != 0 || count == 0) continue;
    char* name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, static_cast<int>(nr));
    if (name) observed.syscalls.emplace_back(name);
    std::free(name);
  }
  return observed;
}

void BehaviourTrace::Collector::fill(ObservedBehaviour& observed) const {
  observed.events = events_seen_;
  for (const auto& [path, seen] : files_) {
    if (seen.opened) observed.files.push_back({path, seen.written, true});
    else if (exists_on_host(path)) observed.files.push_back({path, seen.write_tried, false});
  }
  observed.execs.assign(execs_.begin(), execs_.end());
  observed.endpoints.assign(endpoints_.begin(), endpoints_.end());
  observed.refused_endpoints = refused_endpoints_;
}

}  // namespace mcpsandbox
