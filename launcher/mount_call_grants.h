// MountCallGrants: call-scoped file grants without BPF LSM (issue #9). Each call-scoped path
// starts as an empty read-only tmpfs in the server's view (launcher/sandbox/mount_tree.h); while
// a call is in flight, the host files and directories its read and write grants name are bound
// into it at their own paths, and unmounted when it ends. Concurrent calls share a bind (the
// union: writable while any of them may write).
//
// The binds are made by a small helper process: forked from the launcher (root), it enters the
// sandbox's mount namespace and does only what the launcher asks over a socket. The launcher
// opens every host path itself, beneath its call-scoped directory and never through a symlink,
// and hands the helper a detached mount of it.
//
// Limits, documented: what does not exist cannot be bound, so a write grant for a new file is
// refused (BPF LSM grants those by name); exec grants need BPF LSM; a file the server opened
// during the call stays open to it afterwards (as with BPF LSM, access is checked at open).
#pragma once

#include <sys/types.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "launcher/file_grants.h"
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
  // Starts the helper in the mount namespace of `sandbox_pid` (after its root is built).
  static Result<MountCallGrants> start(pid_t sandbox_pid, std::vector<Area> areas, const Logger& logger);
  MountCallGrants(MountCallGrants&& other) noexcept;
  MountCallGrants& operator=(MountCallGrants&&) = delete;
  ~MountCallGrants() override;

  Result<void> grant(const std::string& call, const CallGrants& grants) override;
  void release(const std::string& call) override;
  size_t mounted() const { return binds_.size(); }

 private:
  struct Bind {
    bool writable_now;
    std::map<std::string, bool> calls;  // call -> whether it may write
  };
  MountCallGrants(pid_t helper, UniqueFd socket, std::vector<Area> areas, const Logger& logger)
      : helper_(helper), socket_(std::move(socket)), areas_(std::move(areas)), logger_(&logger) {}
  const Area* area_of(const std::string& path) const;
  Result<void> add(const std::string& call, const std::string& path, bool write);
  Result<void> ask(int op, const std::string& path, bool flag, int fd);

  pid_t helper_ = -1;
  UniqueFd socket_;
  std::vector<Area> areas_;
  const Logger* logger_;
  std::map<std::string, Bind> binds_;                        // sandbox path -> its bind
  std::map<std::string, std::vector<std::string>> by_call_;  // call -> paths it holds
  bool warned_exec_ = false;
  // The teardown kills every process mcpsandbox started, the helper too, once the server has
  // exited: its mount namespace (and every bind in it) is gone, so there is nothing to withdraw.
  bool helper_gone_ = false;
};

}  // namespace mcpsandbox
