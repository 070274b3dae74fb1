#include "launcher/sandbox/sandbox_child.h"

#include <linux/close_range.h>
#include <net/if.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "launcher/sandbox/hygiene.h"
#include "launcher/sandbox/landlock.h"
#include "launcher/sandbox/mount_tree.h"
#include "launcher/sandbox/sandbox_init.h"
#include "launcher/sandbox/seccomp_filter.h"

namespace mcpsandbox {
namespace {

std::optional<SetupError> wait_for_launcher(int go_fd) {
  char go = 0;
  ssize_t n;
  do {
    n = ::read(go_fd, &go, 1);
  } while (n < 0 && errno == EINTR);
  ::close(go_fd);
  if (n != 1) return SetupError::from(0, "the launcher went away during setup");
  return std::nullopt;
}

std::optional<SetupError> install_stdio(const ChildContext& c) {
  if (::dup2(c.stdin_fd, 0) < 0 || ::dup2(c.stdout_fd, 1) < 0 ||
      (c.stderr_fd >= 0 && ::dup2(c.stderr_fd, 2) < 0)) {
    return SetupError::from(errno, "dup2 stdio");
  }
  // Nothing the launcher had open reaches the sandbox: every fd above 2 is closed now, not just
  // at exec, because the sandbox's init never execs (a pipe end it kept would, for one, stop
  // the server from ever seeing EOF). Only the report and status pipes stay, close-on-exec.
  unsigned keep_low = static_cast<unsigned>(std::min(c.report_fd, c.status_fd));
  unsigned keep_high = static_cast<unsigned>(std::max(c.report_fd, c.status_fd));
  if ((keep_low > 3 && ::syscall(SYS_close_range, 3u, keep_low - 1, 0u) < 0) ||
      (keep_high > keep_low + 1 &&
       ::syscall(SYS_close_range, keep_low + 1, keep_high - 1, 0u) < 0) ||
      ::syscall(SYS_close_range, keep_high + 1, ~0u, 0u) < 0) {
    return SetupError::from(errno, "close_range");
  }
  return std::nullopt;
}

std::optional<SetupError> set_up_network_namespace() {
  // An empty network namespace still has a loopback device, down; bring it up so servers that
  // talk to themselves over 127.0.0.1 keep working. Nothing else exists to reach.
  int sock = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0) return SetupError::from(errno, "socket for loopback");
  ifreq request{};
  std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
  int rc = ::ioctl(sock, SIOCGIFFLAGS, &request);
  if (rc == 0) {
    request.ifr_flags |= IFF_UP;
    rc = ::ioctl(sock, SIOCSIFFLAGS, &request);
  }
  int err = errno;
  ::close(sock);
  if (rc < 0) return SetupError::from(err, "bring up loopback");
  return std::nullopt;
}

std::optional<SetupError> set_up(const ChildContext& c) {
  MCPSANDBOX_STEP(wait_for_launcher(c.go_fd));
  // Its own session: no controlling terminal to inject keystrokes into, one group to signal.
  if (::setsid() < 0) return SetupError::from(errno, "setsid");
  MCPSANDBOX_STEP(install_stdio(c));
  if (c.layers.namespaces) {
    if (::sethostname("mcpsandbox", 10) < 0) return SetupError::from(errno, "sethostname");
    if (c.plan.isolate_network) MCPSANDBOX_STEP(set_up_network_namespace());
    // Without BPF LSM, call-scoped paths start empty and the launcher binds in what each call
    // is granted (launcher/mount_call_grants.h).
    static const std::vector<std::string> kNone;
    MCPSANDBOX_STEP(build_root_and_pivot(c.plan.paths, c.plan.limits, c.layers.bpf_lsm ? kNone : c.plan.call_scoped_paths));
  }
  if (::chdir(c.plan.cwd.c_str()) < 0 && ::chdir("/") < 0) return SetupError::from(errno, "chdir");
  MCPSANDBOX_STEP(apply_resource_limits(c.plan.limits));
  MCPSANDBOX_STEP(drop_privileges(c.layers.namespaces || ::geteuid() == 0));
  if (c.layers.landlock) {
    MCPSANDBOX_STEP(apply_landlock(c.plan, {c.layers.landlock_abi, c.layers.namespaces}));
  }
  if (c.layers.seccomp) MCPSANDBOX_STEP(load_seccomp_filter(c.plan.seccomp));
  return std::nullopt;
}

}  // namespace

void sandbox_child_main(const ChildContext& context) {
  // If the launcher dies, so does the sandbox (and with pid 1 gone, everything in it).
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD}) ::signal(sig, SIG_DFL);

  if (auto failure = set_up(context)) {
    ssize_t ignored = ::write(context.report_fd, &*failure, sizeof *failure);
    (void)ignored;
    ::_exit(125);
  }
  if (context.layers.namespaces) {
    run_sandbox_init(context.plan.argv, context.plan.env,
                     {context.report_fd, context.status_fd});
  }
  exec_server(context.plan.argv, context.plan.env, context.report_fd);
}

}  // namespace mcpsandbox
