#include "launcher/cgroup_gate.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace mcpsandbox {

Result<CgroupGate> CgroupGate::open(int cgroup_fd, const Logger& logger) {
  UniqueFd freeze(::openat(cgroup_fd, "cgroup.freeze", O_WRONLY | O_CLOEXEC));
  if (!freeze.valid()) {
    return Error{std::string("hardening.out_of_band: cannot open the sandbox's cgroup.freeze: ") +
                 std::strerror(errno)};
  }
  return CgroupGate(std::move(freeze), logger);
}

void CgroupGate::let_run(bool running) {
  if (!freeze_.valid() || frozen_ == !running) return;
  // Asynchronous in the kernel: each task stops at its next return to user space.
  if (::pwrite(freeze_.get(), running ? "0" : "1", 1, 0) != 1) {
    logger_->error(std::string("hardening.out_of_band: cannot ") + (running ? "thaw" : "freeze") +
                   " the sandbox: " + std::strerror(errno));
    return;
  }
  frozen_ = !running;
  if (frozen_) ++freezes_;
}

CgroupGate::~CgroupGate() { let_run(true); }

}  // namespace mcpsandbox
