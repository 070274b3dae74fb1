// The suite's own honesty: whether a layer's tests run is decided from the machine, so a layer
// whose probe breaks turns its tests red instead of into skips. One of this binary's own tests is
// run with the L4 probe told to fail (MCPSANDBOX_TESTING_BREAK_PROBE, which can only take a layer
// away) and must fail.
#include <filesystem>

#include "tests/escape/escape_harness.h"

namespace mcpsandbox::testing {
namespace {

TEST(TestMachinery, ABrokenProbeTurnsItsLayersTestsRedNotIntoSkips) {
  MCPSANDBOX_NEEDS("cgroup-bpf", running_as_root() && cgroup2_mounted(),
                   "the layer whose probe is broken here (cgroup-bpf) needs root and cgroup v2");
  std::string self = std::filesystem::read_symlink("/proc/self/exe");
  ChildProcess suite({"/usr/bin/env", "MCPSANDBOX_TESTING_BREAK_PROBE=cgroup-bpf", self,
                      "--gtest_filter=Egress.ReachesAnAllowedDestination"});
  std::string output;
  for (const auto& line : suite.read_all_lines(120s)) output += line + "\n";
  EXPECT_EQ(suite.wait(30s), 1) << output;
  EXPECT_NE(output.find("[  FAILED  ] Egress.ReachesAnAllowedDestination"), std::string::npos) << output;
  EXPECT_EQ(output.find("[  SKIPPED ]"), std::string::npos) << output;

  // Unbroken, the same test passes: the failure above is the probe's.
  ChildProcess intact({self, "--gtest_filter=Egress.ReachesAnAllowedDestination"});
  std::string intact_output;
  for (const auto& line : intact.read_all_lines(120s)) intact_output += line + "\n";
  EXPECT_EQ(intact.wait(30s), 0) << intact_output;
}

}  // namespace
}  // namespace mcpsandbox::testing
