#include "launcher/exec_trace.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "launcher/bpf_types.h"
#include "exec_trace.skel.h"

namespace mcpsandbox {
namespace {


int log_event(void* context, void* data, size_t size) {
  if (size < sizeof(mcpsandbox_event)) return 0;
  const auto* event = static_cast<const mcpsandbox_event*>(data);
  const auto* logger = static_cast<const Logger*>(context);
  std::string name(event->path, strnlen(event->path, sizeof event->path));
  std::string who = "pid " + std::to_string(event->pid) + " (parent " + std::to_string(event->ppid) + ")";
  if (event->kind == MCPSANDBOX_EVENT_EXEC) {
    logger->notice("trace: exec " + who + " " + name);
  } else {
    int status = event->exit_code;
    std::string how = (status & 0x7f) ? "killed by signal " + std::to_string(status & 0x7f)
                                      : "exit status " + std::to_string((status >> 8) & 0xff);
    logger->notice("trace: exit " + who + " " + name + ": " + how);
  }
  return 0;
}

}  // namespace

Result<ExecTrace> ExecTrace::attach(int cgroup_fd, const Logger& logger) {
  struct stat info {};
  if (::fstat(cgroup_fd, &info) < 0) return Error{std::string("trace: stat cgroup: ") + std::strerror(errno)};
  exec_trace* skeleton = exec_trace__open();
  if (!skeleton) return Error{std::string("trace: open: ") + std::strerror(errno)};
  ExecTrace trace(skeleton, logger);
  // A cgroup v2 id is the inode number of its directory.
  skeleton->rodata->sandbox_cgroup_id = info.st_ino;
  if (int rc = exec_trace__load(skeleton); rc) {
    return Error{std::string("trace: load: ") + std::strerror(-rc)};
  }
  if (int rc = exec_trace__attach(skeleton); rc) {
    return Error{std::string("trace: attach: ") + std::strerror(-rc)};
  }
  trace.events_ = ring_buffer__new(bpf_map__fd(skeleton->maps.events), log_event,
                                   const_cast<Logger*>(&logger), nullptr);
  if (!trace.events_) return Error{std::string("trace: ring buffer: ") + std::strerror(errno)};
  return trace;
}

ExecTrace::ExecTrace(ExecTrace&& other) noexcept
    : skeleton_(std::exchange(other.skeleton_, nullptr)),
      events_(std::exchange(other.events_, nullptr)),
      logger_(other.logger_) {}

ExecTrace::~ExecTrace() {
  if (events_) ring_buffer__free(events_);
  if (skeleton_) exec_trace__destroy(skeleton_);
}

Result<void> ExecTrace::watch(EventLoop& loop) {
  return loop.watch(ring_buffer__epoll_fd(events_), EPOLLIN,
                    [this](uint32_t) { ring_buffer__consume(events_); });
}

void ExecTrace::drain() {
  if (events_) ring_buffer__consume(events_);
}

}  // namespace mcpsandbox
