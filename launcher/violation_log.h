// ViolationLog: what the kernel layers refused inside the sandbox (L4 cgroup-bpf, L5 BPF LSM),
// as they report it through their ring buffers. Each refusal is logged and written to the audit
// log as a "violation" record; the kernel has already said no, so a failed audit write is
// logged and does not stop anything.
#pragma once

#include <cstdint>
#include <string>

#include "proxy/audit/audit_log.h"
#include "proxy/io/logger.h"
#include "proxy/telemetry/telemetry.h"

namespace mcpsandbox {

struct Violation {
  std::string layer;   // "L4 cgroup-bpf", "L5 BPF LSM"
  std::string action;  // "connect", "open", "exec", ...
  std::string target;  // "127.0.0.2:443", a path, a pid; empty when the kernel gave none
  std::string detail;  // rights asked for, inode: anything else worth a reader's time
  uint32_t pid = 0;
  std::string comm;
};

class ViolationLog {
 public:
  ViolationLog(const Logger& logger, AuditSink* audit, Telemetry* telemetry)
      : logger_(logger), audit_(audit), telemetry_(telemetry) {}
  void report(const Violation& violation);
  uint64_t count() const { return count_; }

 private:
  const Logger& logger_;
  AuditSink* audit_;
  Telemetry* telemetry_;
  uint64_t count_ = 0;
};

}  // namespace mcpsandbox
