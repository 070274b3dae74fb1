// BehaviourTrace: the learning run's eBPF programs (bpf/behaviour_trace.bpf.c) for one sandbox.
// While attached it counts the sandbox's system calls and collects every open (path, mode,
// outcome), exec and connect; observed() summarises them for `profile generate --learn`, and a
// progress line goes to the log every few seconds. Needs root (tp_btf programs).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "profiles/generate/observed_behaviour.h"
#include "profiles/support/result.h"
#include "proxy/io/event_loop.h"
#include "proxy/io/logger.h"

struct behaviour_trace;
struct ring_buffer;

namespace mcpsandbox {

// One thing the sandbox did, as the kernel reported it.
struct ObservedEffect {
  enum class Kind { kOpen, kExec, kConnect } kind = Kind::kOpen;
  std::string what;    // the absolute path, or ADDR:PORT
  bool write = false;  // open: for writing
  int64_t result = 0;  // the system call's return (negative errno)
  uint32_t pid = 0;
};

class BehaviourTrace {
 public:
  static Result<BehaviourTrace> attach(int cgroup_fd, const Logger& logger);
  BehaviourTrace(BehaviourTrace&&) noexcept;
  BehaviourTrace& operator=(BehaviourTrace&&) = delete;
  ~BehaviourTrace();

  Result<void> watch(EventLoop& loop);
  void drain();
  // Also hand each effect to `observer` as it is read (per-call effect records).
  void observe(std::function<void(const ObservedEffect&)> observer);
  // Everything seen so far. Paths the sandbox refused are kept only when they exist on the
  // host (the server needed something it was not given), not the probes of module resolution.
  ObservedBehaviour observed() const;

 private:
  class Collector;  // what the events said so far; on the heap, as the ring buffer points at it
  BehaviourTrace(behaviour_trace* skeleton, const Logger& logger);

  behaviour_trace* skeleton_ = nullptr;
  ring_buffer* events_ = nullptr;
  std::unique_ptr<Collector> collector_;
};

}  // namespace mcpsandbox
