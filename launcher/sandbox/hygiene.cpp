#include "launcher/sandbox/hygiene.h"

#include <linux/securebits.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <memory>

namespace mcpsandbox {
namespace {

std::optional<SetupError> set_limit(int resource, uint64_t value, const char* name) {
  rlimit limit{value, value};
  if (::setrlimit(resource, &limit) < 0) return SetupError::from(errno, std::string("setrlimit ") + name);
  return std::nullopt;
}

}  // namespace

std::optional<SetupError> apply_resource_limits(const ResourceLimits& limits) {
  MCPSANDBOX_STEP(set_limit(RLIMIT_NPROC, limits.max_processes.value_or(kDefaultMaxProcesses),
                            "processes"));
  MCPSANDBOX_STEP(set_limit(RLIMIT_NOFILE, limits.max_open_files.value_or(kDefaultMaxOpenFiles),
                            "open files"));
  // RLIMIT_DATA bounds heap and private writable mappings; address-space reservations (V8
  // reserves far more than it uses) stay possible, which RLIMIT_AS would break.
#if !defined(MCPSANDBOX_ADDRESS_SANITIZER)
  MCPSANDBOX_STEP(set_limit(RLIMIT_DATA, limits.memory_bytes.value_or(kDefaultMemoryBytes),
                            "memory"));
#else
  // AddressSanitizer builds only (tests): the launcher's own code runs on in the sandbox's init
  // after this point, and ASan's shadow and allocator regions count as private writable
  // mappings. The cgroup memory limit still holds the server.
  (void)kDefaultMemoryBytes;
#endif
  if (limits.cpu_seconds) MCPSANDBOX_STEP(set_limit(RLIMIT_CPU, *limits.cpu_seconds, "cpu"));
  if (limits.max_file_bytes) {
    MCPSANDBOX_STEP(set_limit(RLIMIT_FSIZE, *limits.max_file_bytes, "file size"));
  }
  // A core dump would write the server's memory (secrets included) outside the sandbox.
  MCPSANDBOX_STEP(set_limit(RLIMIT_CORE, 0, "core"));
  return std::nullopt;
}

std::optional<SetupError> drop_privileges(bool have_caps) {
  if (have_caps) {
    // Locked securebits: uid 0 gains nothing from exec, and nothing can undo that.
    int bits = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
               SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED |
               SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
    if (::prctl(PR_SET_SECUREBITS, bits) < 0) return SetupError::from(errno, "securebits");
    for (int cap = 0; cap <= CAP_LAST_CAP; ++cap) {
      if (::prctl(PR_CAPBSET_DROP, cap) < 0 && errno != EINVAL) {
        return SetupError::from(errno, "drop bounding capability " + std::to_string(cap));
      }
    }
  }
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL) {
    return SetupError::from(errno, "clear ambient capabilities");
  }
  std::unique_ptr<std::remove_pointer_t<cap_t>, decltype(&cap_free)> none(cap_init(), &cap_free);
  if (!none || cap_set_proc(none.get()) < 0) return SetupError::from(errno, "drop capabilities");
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) return SetupError::from(errno, "no_new_privs");
  return std::nullopt;
}

}  // namespace mcpsandbox
