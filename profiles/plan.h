// Plan: everything each enforcement layer needs, compiled from a Profile by pure code. The
// launcher's backends (mounts, Landlock, seccomp, rlimits, environment) only translate it;
// no backend decides policy on its own.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "profiles/egress_rule.h"
#include "profiles/profile.h"
#include "profiles/proxy_plan.h"

namespace mcpsandbox {

// One path of the server's filesystem view. In the namespaced sandbox it is mounted at the same
// path inside a fresh root; without namespaces only Landlock enforces it.
struct PathGrant {
  enum class Kind {
    kReadOnly,      // bind, read-only, nosuid, nodev
    kReadWrite,     // bind, writable, nosuid, nodev
    kOverlay,       // the host directory with writes kept in the sandbox and discarded after
    kSystem,        // like kReadOnly, but a host symlink (merged /usr: /bin -> usr/bin) is
                    // recreated as the same symlink instead of bound
  };
  std::string path;
  Kind kind;
  bool optional = false;  // skipped when missing on the host (distribution differences)
  std::string why;        // shown by `profile check` and in errors
  // Bind what a root-owned system symlink points to (/etc/resolv.conf -> /run/...). Never set
  // for user-supplied paths: those must not contain symlinks at all.
  bool follow_symlink = false;
};

// Why a command's virtual environment is in the view (compile: command_environment).
inline constexpr const char* kCommandEnvironmentGrant = "the server command's virtual environment";

// Why a local script's project is in the view (profiles/local_script.h).
inline constexpr const char* kLocalScriptGrant = "the server's script and its project";

// The user's own ro/rw paths (profile and --ro/--rw), as opposed to what every sandbox gets.
inline bool is_user_path(const PathGrant& grant) {
  return grant.why == "read-only path" || grant.why == "read-write path";
}

struct LandlockPlan {
  int min_abi = 1;
  // ABI >= 4: connect/bind only to the ports below. Connect is left to cgroup-bpf when an
  // egress rule allows any port (Landlock has no "any port" rule).
  bool restrict_tcp_connect = true, restrict_tcp_bind = true;
  std::vector<uint16_t> tcp_connect_ports;
  std::vector<uint16_t> tcp_bind_ports;
  bool scope_abstract_unix = true;  // ABI >= 6
  bool scope_signals = true;        // ABI >= 6
};

struct SeccompPlan {
  std::vector<std::string> allow;  // everything else fails with ENOSYS
  std::vector<std::string> kill;   // kill the process: no legitimate server needs these
  // Argument-level rules compiled into the filter alongside the lists:
  // clone() with namespace flags -> EPERM, clone3 -> ENOSYS (so clone's flags are filterable),
  // ioctl TIOCSTI/TIOCLINUX -> EPERM (masked compare), socket() raw/packet/netlink/MPTCP -> EPERM.
  // IP datagram sockets (UDP): allowed where a layer polices them (an empty network namespace
  // of the sandbox's own, or L4's sendmsg hooks); refused (EPERM) where the sandbox shares the
  // host's network and nothing would (no user namespaces: Landlock covers TCP only).
  bool ip_datagrams = true;
};

// A tmpfs holds its pages in the host's memory, charged to no limit where there is no memory
// cgroup (an ordinary user's sandbox): each is sized, so a server cannot fill the host's RAM.
inline constexpr uint64_t kDefaultTmpBytes = 512ull << 20;
inline constexpr uint64_t kDefaultShmBytes = 64ull << 20;
// Message sizes the proxy relays: a request well below what common SDK servers read in one
// message (one stopped reading at 10 MiB, and its client waited for its own timeout); a result
// generous but finite.
inline constexpr uint64_t kDefaultRequestBytes = 4ull << 20;
inline constexpr uint64_t kDefaultResultBytes = 64ull << 20;

struct ResourceLimits {
  std::optional<uint64_t> memory_bytes, max_processes, max_open_files, cpu_seconds,
      max_file_bytes;
  std::optional<uint64_t> cpu_millis;  // cgroup CPU bandwidth, thousandths of a core
  uint64_t tmp_bytes = kDefaultTmpBytes;  // /tmp, and each cache overlay's writes
  uint64_t shm_bytes = kDefaultShmBytes;  // /dev/shm
  uint64_t request_bytes = kDefaultRequestBytes;  // largest client message relayed
  uint64_t result_bytes = kDefaultResultBytes;    // largest server message relayed
};

struct Plan {
  std::vector<std::string> argv;
  std::string cwd;  // inside the sandbox
  std::vector<PathGrant> paths;
  bool isolate_network = true;  // an empty network namespace (loopback only)
  // With the host network: the only destinations connect()/sendmsg() may reach (cgroup-bpf).
  std::vector<EgressRule> egress;
  // Connect grants may open non-public addresses (see profiles/connect_grant_policy.h).
  bool internal_grants = false;
  std::vector<std::pair<std::string, std::string>> env;
  ResourceLimits limits;
  LandlockPlan landlock;
  SeccompPlan seccomp;
  bool deny_write_execute = false;  // L5: refuse writable+executable memory
  bool deny_out_of_band = false;    // frozen (cgroup v2) while no request is in flight
  // L5: beneath these the server reaches only what an in-flight call's grants name.
  std::vector<std::string> call_scoped_paths;
  // Pathname unix sockets the server may connect to besides its own (the profile's
  // filesystem.unix_sockets, resolved): a grant does not hand it the daemons listening inside.
  std::vector<std::string> unix_sockets;
  // L5: when set, the only programs the server may execve (its own command included); an
  // in-flight call's exec grants add to them.
  std::optional<std::vector<std::string>> programs;
  std::set<Layer> required_layers;
  std::set<Layer> disabled_layers;  // testing only: proves the other layers hold on their own

  ProxyPlan proxy;  // the protocol layer's rules for this session
  // Secrets the launcher reads from files and adds to the server's environment.
  std::vector<std::pair<std::string, std::string>> secret_files;
};

}  // namespace mcpsandbox
