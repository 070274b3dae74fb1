// CgroupGate: the launcher's ServerGate (proxy/server_gate.h). Freezes the sandbox's cgroup v2
// (`cgroup.freeze`) while no request is in flight and thaws it when one is, so that the server
// and every process it started are stopped between calls: out-of-band behaviour is denied, not
// only recorded. Frozen tasks still die of SIGKILL, and the cgroup is thawed when the gate goes.
#pragma once

#include "proxy/io/logger.h"
#include "proxy/io/unique_fd.h"
#include "proxy/server_gate.h"
#include "profiles/support/result.h"

namespace mcpsandbox {

class CgroupGate final : public ServerGate {
 public:
  // `cgroup_fd`: the sandbox's cgroup v2 directory.
  static Result<CgroupGate> open(int cgroup_fd, const Logger& logger);
  CgroupGate(CgroupGate&&) = default;
  CgroupGate& operator=(CgroupGate&&) = delete;
  ~CgroupGate() override;

  void let_run(bool running) override;
  uint64_t freezes() const { return freezes_; }

 private:
  CgroupGate(UniqueFd freeze, const Logger& logger) : freeze_(std::move(freeze)), logger_(&logger) {}
  UniqueFd freeze_;
  const Logger* logger_;
  bool frozen_ = false;
  uint64_t freezes_ = 0;
};

}  // namespace mcpsandbox
