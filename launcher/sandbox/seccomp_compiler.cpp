#include "launcher/sandbox/seccomp_compiler.h"

#include <linux/sched.h>
#include <netinet/in.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <vector>
#include <sys/stat.h>

#include <algorithm>
#include <memory>
#include <sys/mman.h>
#include <unistd.h>

namespace mcpsandbox {
namespace {

constexpr uint64_t kNamespaceFlags = CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS |
                                     CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET |
                                     CLONE_NEWTIME;
constexpr uint64_t kSockTypeMask = 0xf;  // SOCK_NONBLOCK and SOCK_CLOEXEC live above
#ifndef IPPROTO_MPTCP
constexpr int IPPROTO_MPTCP = 262;
#endif
#ifndef TIOCLINUX
constexpr int TIOCLINUX = 0x541C;
#endif

using Context = std::unique_ptr<void, decltype(&seccomp_release)>;

SetupError fail(int rc, const std::string& what) { return SetupError::from(-rc, "seccomp: " + what); }

std::optional<SetupError> add(scmp_filter_ctx ctx, uint32_t action, int syscall,
                              std::initializer_list<scmp_arg_cmp> args, const char* what) {
  int rc = seccomp_rule_add_array(ctx, action, syscall, static_cast<unsigned>(args.size()),
                                  args.size() ? args.begin() : nullptr);
  if (rc < 0) return fail(rc, what);
  return std::nullopt;
}

// clone() may create threads and processes but no namespaces; clone3 hides its flags in memory
// seccomp cannot read, so it reports ENOSYS and libc falls back to clone().
std::optional<SetupError> add_process_rules(scmp_filter_ctx ctx) {
  MCPSANDBOX_STEP(add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone),
                      {SCMP_A0(SCMP_CMP_MASKED_EQ, kNamespaceFlags, 0)}, "clone"));
  for (uint64_t flag = 1; flag; flag <<= 1) {
    if (!(flag & kNamespaceFlags)) continue;
    MCPSANDBOX_STEP(add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone),
                        {SCMP_A0(SCMP_CMP_MASKED_EQ, flag, flag)}, "clone namespace flag"));
  }
  // clone3 gets no rule: the filter's default answer, ENOSYS, is exactly what it needs (and
  // libseccomp refuses a rule that repeats the default).
  return std::nullopt;
}

// The filter as BPF instructions, read back from libseccomp through a memfd (2.5 has no
// in-memory export).
std::optional<SetupError> export_program(scmp_filter_ctx ctx, std::vector<sock_filter>& out) {
  int fd = ::memfd_create("mcpsandbox-seccomp", MFD_CLOEXEC);
  if (fd < 0) return SetupError::from(errno, "seccomp: memfd");
  int rc = seccomp_export_bpf(ctx, fd);
  off_t size = ::lseek(fd, 0, SEEK_END);
  out.resize(static_cast<size_t>(size > 0 ? size : 0) / sizeof(sock_filter));
  bool read_ok = rc == 0 && size > 0 &&
                 ::pread(fd, out.data(), static_cast<size_t>(size), 0) == size;
  ::close(fd);
  if (rc < 0) return fail(rc, "export");
  if (!read_ok) return SetupError::from(EIO, "seccomp: read exported filter");
  return std::nullopt;
}

// Set-id bits: a file the server creates or chmods in a read-write grant lives on the host,
// where a setuid program it planted would run with its owner's rights for any local user
// (root's, when root runs mcpsandbox). nosuid on the sandbox's own mounts does not reach the
// host's inode, so no mode argument may carry S_ISUID or S_ISGID, in any syscall that takes
// one. openat2 carries its mode in memory seccomp cannot read: ENOSYS, and libc falls back to
// openat. File capabilities need setxattr, which the allowlist does not have.
// By name: libseccomp resolves syscalls its headers predate (fchmodat2); one it does not know
// is not in the allowlist either, so it already fails with ENOSYS.
struct ModeArgument {
  const char* syscall;
  unsigned index;
};
constexpr ModeArgument kModeArguments[] = {
    {"chmod", 1}, {"fchmod", 1}, {"fchmodat", 2}, {"fchmodat2", 2}, {"open", 2},
    {"openat", 3}, {"creat", 1}, {"mknod", 1},    {"mknodat", 2},
};

std::optional<SetupError> add_set_id_denials(scmp_filter_ctx ctx) {
  for (const ModeArgument& argument : kModeArguments) {
    int nr = seccomp_syscall_resolve_name(argument.syscall);
    if (nr == __NR_SCMP_ERROR) continue;
    for (uint64_t bit : {uint64_t{S_ISUID}, uint64_t{S_ISGID}}) {
      scmp_arg_cmp mode_has_bit{argument.index, SCMP_CMP_MASKED_EQ, bit, bit};
      MCPSANDBOX_STEP(add(ctx, SCMP_ACT_ERRNO(EPERM), nr, {mode_has_bit}, argument.syscall));
    }
  }
  int openat2 = seccomp_syscall_resolve_name("openat2");
  if (openat2 == __NR_SCMP_ERROR) return std::nullopt;
  return add(ctx, SCMP_ACT_ERRNO(ENOSYS), openat2, {}, "openat2");
}

// Code the server wrote cannot run from a writable mount (all noexec), so the way left is an
// anonymous file: a memfd is executable unless made with MFD_NOEXEC_SEAL, and vm.memfd_noexec,
// which would change that default, is not the sandbox's to set when an ordinary user runs it.
// So a memfd without the seal is "not supported here" (ENOSYS: callers such as Chromium fall
// back to /dev/shm, noexec inside), and MFD_EXEC, which asks for exactly this, is refused.
std::optional<SetupError> add_executable_memfd_denials(scmp_filter_ctx ctx) {
  constexpr uint64_t kNoExecSeal = 0x0008, kExec = 0x0010;  // newer than Debian 12's headers
  int memfd_create = seccomp_syscall_resolve_name("memfd_create");
  if (memfd_create == __NR_SCMP_ERROR) return std::nullopt;
  MCPSANDBOX_STEP(add(ctx, SCMP_ACT_ERRNO(ENOSYS), memfd_create,
                      {SCMP_A1(SCMP_CMP_MASKED_EQ, kNoExecSeal | kExec, 0)}, "memfd_create"));
  return add(ctx, SCMP_ACT_ERRNO(EPERM), memfd_create,
             {SCMP_A1(SCMP_CMP_MASKED_EQ, kNoExecSeal | kExec, kExec)}, "memfd_create MFD_EXEC");
}

// Terminal injection: compare only the low 32 bits, since the kernel ignores the upper ones
// (CVE-2019-10063 in flatpak compared all 64). These live in a second filter whose default is
// to allow: libseccomp lets an unconditional allow for ioctl override conditional denials in
// the same filter, while the kernel always applies the stricter verdict of two filters.
std::optional<SetupError> compile_argument_denials(std::vector<sock_filter>& out) {
  Context ctx(seccomp_init(SCMP_ACT_ALLOW), &seccomp_release);
  if (!ctx) return SetupError::from(ENOMEM, "seccomp_init");
  for (uint64_t request : {uint64_t{TIOCSTI}, uint64_t{TIOCLINUX}}) {
    MCPSANDBOX_STEP(add(ctx.get(), SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl),
                        {SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, request)}, "ioctl"));
  }
  MCPSANDBOX_STEP(add_set_id_denials(ctx.get()));
  MCPSANDBOX_STEP(add_executable_memfd_denials(ctx.get()));
  return export_program(ctx.get(), out);
}

// Sockets: unix, and TCP/UDP over IPv4/IPv6. No raw or packet sockets, no netlink, no MPTCP
// (its own code paths, and invisible to connect-time policy); no UDP where nothing polices it.
std::optional<SetupError> add_socket_rules(scmp_filter_ctx ctx, bool ip_datagrams) {
  MCPSANDBOX_STEP(add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), {SCMP_A0(SCMP_CMP_EQ, AF_UNIX)},
                      "socket"));
  std::vector<int> types = {SOCK_STREAM};
  if (ip_datagrams) types.push_back(SOCK_DGRAM);
  for (int family : {AF_INET, AF_INET6}) {
    if (!ip_datagrams) {
      MCPSANDBOX_STEP(add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(socket),
                          {SCMP_A0(SCMP_CMP_EQ, static_cast<uint64_t>(family)),
                           SCMP_A1(SCMP_CMP_MASKED_EQ, kSockTypeMask, SOCK_DGRAM)},
                          "socket datagram"));
    }
    for (int type : types) {
      for (int protocol : {0, static_cast<int>(IPPROTO_TCP), static_cast<int>(IPPROTO_UDP)}) {
        MCPSANDBOX_STEP(add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket),
                            {SCMP_A0(SCMP_CMP_EQ, static_cast<uint64_t>(family)),
                             SCMP_A1(SCMP_CMP_MASKED_EQ, kSockTypeMask, static_cast<uint64_t>(type)),
                             SCMP_A2(SCMP_CMP_EQ, static_cast<uint64_t>(protocol))},
                            "socket"));
      }
    }
  }
  for (int family : {AF_NETLINK, AF_PACKET}) {
    MCPSANDBOX_STEP(add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(socket),
                        {SCMP_A0(SCMP_CMP_EQ, static_cast<uint64_t>(family))}, "socket"));
  }
  for (int family : {AF_INET, AF_INET6}) {
    MCPSANDBOX_STEP(add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(socket),
                        {SCMP_A0(SCMP_CMP_EQ, static_cast<uint64_t>(family)),
                         SCMP_A1(SCMP_CMP_MASKED_EQ, kSockTypeMask, SOCK_RAW)},
                        "socket raw"));
    MCPSANDBOX_STEP(add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(socket),
                        {SCMP_A0(SCMP_CMP_EQ, static_cast<uint64_t>(family)),
                         SCMP_A1(SCMP_CMP_MASKED_EQ, kSockTypeMask, SOCK_STREAM),
                         SCMP_A2(SCMP_CMP_EQ, static_cast<uint64_t>(IPPROTO_MPTCP))},
                        "socket mptcp"));
  }
  return std::nullopt;
}

}  // namespace

std::optional<SetupError> compile_seccomp(const SeccompPlan& plan, CompiledSeccomp& out) {
  // Anything not allowed fails with ENOSYS, which runtimes treat as "not supported here".
  Context ctx(seccomp_init(SCMP_ACT_ERRNO(ENOSYS)), &seccomp_release);
  if (!ctx) return SetupError::from(ENOMEM, "seccomp_init");
  // Other ABIs (i386 int 0x80, x32) would reach the kernel under other numbers: kill.
  if (int rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS); rc) {
    return fail(rc, "bad-arch action");
  }
  for (const std::string& name : plan.kill) {
    int nr = seccomp_syscall_resolve_name(name.c_str());
    if (nr == __NR_SCMP_ERROR) continue;  // not on this architecture
    MCPSANDBOX_STEP(add(ctx.get(), SCMP_ACT_KILL_PROCESS, nr, {}, name.c_str()));
  }
  for (const std::string& name : plan.allow) {
    if (name == "clone" || name == "clone3" || name == "socket") continue;
    int nr = seccomp_syscall_resolve_name(name.c_str());
    if (nr == __NR_SCMP_ERROR) continue;
    if (int rc = seccomp_rule_add(ctx.get(), SCMP_ACT_ALLOW, nr, 0); rc < 0 && rc != -EEXIST) {
      return fail(rc, "allow " + name);
    }
  }
  auto allowed = [&](const char* name) {
    return std::find(plan.allow.begin(), plan.allow.end(), name) != plan.allow.end();
  };
  if (allowed("clone")) MCPSANDBOX_STEP(add_process_rules(ctx.get()));
  if (allowed("socket")) MCPSANDBOX_STEP(add_socket_rules(ctx.get(), plan.ip_datagrams));
  MCPSANDBOX_STEP(export_program(ctx.get(), out.allowlist));
  return compile_argument_denials(out.argument_denials);
}

}  // namespace mcpsandbox
