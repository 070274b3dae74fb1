// The seccomp policy every sandbox starts from: which system calls a server may make, and which
// ones end it on the spot. Decided here, once; the launcher only translates it into BPF.
#pragma once

#include <string>
#include <vector>

namespace mcpsandbox {

// What ordinary servers (node, python, static binaries) need: files, sockets, threads, timers,
// signals, memory. Anything not listed fails with ENOSYS.
const std::vector<std::string>& baseline_syscalls();

// Kernel attack surface or sandbox escapes no MCP server needs: using one kills the process
// (io_uring, bpf, perf_event_open, userfaultfd, kexec, modules, ptrace, process_vm_*, keys,
// the mount API, namespace creation, ...). A profile cannot allow these.
const std::vector<std::string>& always_killed_syscalls();

}  // namespace mcpsandbox
