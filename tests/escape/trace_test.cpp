// L7 tracing (--trace): the execs and exits inside the sandbox, and nothing from outside it.
#include <unistd.h>

#include "tests/escape/escape_harness.h"
#include "tests/support/machine_features.h"

namespace mcpsandbox::testing {
namespace {

size_t count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

TEST(Trace, LogsEveryExecAndExitInsideTheSandboxOnly) {
  MCPSANDBOX_NEEDS("tracing", running_as_root() && kernel_btf_available(),
                   "eBPF tracing needs root and kernel BTF (/sys/kernel/btf/vmlinux)");
  // Busy host processes while the sandbox runs: none of their execs may show up.
  ChildProcess noise({"/bin/sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10; do /bin/true; done"});
  ChildProcess sandbox({mcpsandbox_binary(), "run", "--trace", "--", "/bin/sh", "-c",
                        "/bin/true; /bin/true; exit 3"});
  sandbox.close_stdin();
  EXPECT_EQ(sandbox.wait(20s), 3);
  noise.wait(20s);
  std::string log = sandbox.stderr_text();
  EXPECT_EQ(count(log, "trace: exec"), 3u) << log;
  EXPECT_EQ(count(log, "trace: exec pid"), 3u);
  EXPECT_EQ(count(log, " /bin/true\n"), 2u) << log;
  EXPECT_NE(log.find("sh: exit status 3"), std::string::npos) << log;
}

}  // namespace
}  // namespace mcpsandbox::testing
