// ExecTrace: the L7 tracing programs (bpf/exec_trace.bpf.c) for one sandbox. Every exec and
// process exit inside the sandbox's cgroup v2 is written to mcpsandbox's log, so a user sees
// what a server really ran. Needs root; owning it keeps the programs attached.
#pragma once

#include <cstdint>

#include "profiles/support/result.h"
#include "proxy/io/event_loop.h"
#include "proxy/io/logger.h"

struct exec_trace;
struct ring_buffer;

namespace mcpsandbox {

class ExecTrace {
 public:
  // Attaches for the cgroup whose directory `cgroup_fd` is; events wait in the ring buffer
  // until watch() hands it to the event loop.
  static Result<ExecTrace> attach(int cgroup_fd, const Logger& logger);
  ExecTrace(ExecTrace&&) noexcept;
  ExecTrace& operator=(ExecTrace&&) = delete;
  ~ExecTrace();

  Result<void> watch(EventLoop& loop);
  // Logs whatever is still queued (call once the sandbox has ended).
  void drain();

 private:
  ExecTrace(exec_trace* skeleton, const Logger& logger) : skeleton_(skeleton), logger_(&logger) {}
  exec_trace* skeleton_ = nullptr;
  ring_buffer* events_ = nullptr;
  const Logger* logger_;
};

}  // namespace mcpsandbox
