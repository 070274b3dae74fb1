// MountCallGrants: call-scoped file grants without BPF LSM (issue #9). Each call-scoped path
// starts as an empty read-only tmpfs in the server's view (launcher/sandbox/mount_tree.h); while
// a call is in flight, the host files and directories its read and write grants name are bound
// into it at their own paths, and unmounted when it ends. Concurrent calls share a bind (the
// union: writable while any of them may write).
//
// The launcher opens every host path itself, beneath its call-scoped directory and never
// through a symlink, clones it (private: nothing mounted beneath it propagates to the host),
// and attaches the clone from inside the sandbox's mount namespace (launcher/
// mount_namespace_visit.h). It keeps the attached mount's fd and unmounts through it, so the
// server renaming directories around a bind cannot make the withdrawal miss it.
//
// Limits, documented: what does not exist cannot be bound, so a write grant for a new file is
// refused (BPF LSM grants those by name); exec grants need BPF LSM; a file the server opened
// during the call stays open to it afterwards (as with BPF LSM, access is checked at open).
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "launcher/file_grants.h"
#include "launcher/mount_namespace_visit.h"
#include "profiles/plan.h"
#include "proxy/io/logger.h"
#include "proxy/io/unique_fd.h"

namespace mcpsandbox {

class MountCallGrants final : public FileGrants {
 public:
  struct Area {
    std::string path;  // a call-scoped path (the same on the host and in the sandbox)
    bool writable;     // inside a read-write path (else no write grant makes it writable)
  };
  // The plan's call-scoped paths, each writable when it lies in a read-write path.
  static std::vector<Area> areas_for(const Plan& plan);
  // For the mount namespace of `sandbox_pid` (after its root is built). Grants are then made
  // and withdrawn on the calling thread.
  static Result<MountCallGrants> start(pid_t sandbox_pid, std::vector<Area> areas, const Logger& logger);
  MountCallGrants(MountCallGrants&&) noexcept = default;
  MountCallGrants& operator=(MountCallGrants&&) = delete;
  ~MountCallGrants() override;

  Result<void> grant(const std::string& call, const CallGrants& grants) override;
  Result<void> release(const std::string& call) override;
  size_t mounted() const { return binds_.size(); }

 private:
  struct Bind {
    UniqueFd mount;  // the attached bind itself
    size_t area;
    bool writable_now;
    std::map<std::string, bool> calls;  // call -> whether it may write
  };
  MountCallGrants(MountNamespaceVisit visit, UniqueFd own_fds, std::vector<Area> areas,
                  std::vector<UniqueFd> handles, const Logger& logger)
      : visit_(std::move(visit)),
        own_fds_(std::move(own_fds)),
        areas_(std::move(areas)),
        handles_(std::move(handles)),
        logger_(&logger) {}
  std::optional<size_t> area_of(const std::string& path) const;
  std::string relative_to_area(const std::string& path, size_t area) const;
  Result<void> add(const std::string& call, const std::string& path, bool write);
  int unmount(const std::string& path, Bind& bind);

  MountNamespaceVisit visit_;
  UniqueFd own_fds_;  // the host's /proc/self/fd, for unmounting a bind through its fd
  std::vector<Area> areas_;
  std::vector<UniqueFd> handles_;  // per area: a writable clone of its tmpfs, for mount points
  const Logger* logger_;
  std::map<std::string, Bind> binds_;                        // sandbox path -> its bind
  std::map<std::string, std::vector<std::string>> by_call_;  // call -> paths it holds
  bool warned_exec_ = false;
};

}  // namespace mcpsandbox
