// Host memory through tmpfs: /tmp and /dev/shm inside are tmpfs, whose pages are the host's
// RAM and, without a memory cgroup (an ordinary user's sandbox), charged to no limit. Each is
// sized: writing past it fails with ENOSPC, by default and at a size the profile sets.
#include <unistd.h>

#include <fstream>

#include "tests/escape/escape_harness.h"

namespace mcpsandbox::testing {
namespace {

// Writes 1 GiB into `directory`; it must stop with ENOSPC at `limit_mib` (a MiB of slack for
// the partial last write).
void expect_bounded(const std::string& directory, unsigned limit_mib, const std::vector<std::string>& options,
                    const std::vector<std::string>& prefix) {
  ProbeOutcome o = run_probe(options, {"fill", directory, "1024"}, prefix);
  EXPECT_FALSE(o.attack_succeeded()) << directory << ": " << describe(o);
  EXPECT_EQ(o.error(), "ENOSPC") << directory << ": " << describe(o);
  if (o.result) {
    EXPECT_LE(std::stoul(o.detail()), limit_mib) << directory << " held more than its size: " << describe(o);
    EXPECT_GE(std::stoul(o.detail()) + 1, limit_mib) << directory << " held less than its size: " << describe(o);
  }
  EXPECT_NE(o.log.find("tmpfs /tmp "), std::string::npos) << "the start line gives the sizes: " << o.log;
}

class Tmpfs : public ::testing::Test {
 protected:
  void SetUp() override {
    SKIP_WITHOUT_NAMESPACES();  // without them /tmp is a private directory on the host's disk
    if (geteuid() != 0) GTEST_SKIP() << "switching to an unprivileged uid needs root";
    std::ofstream(profile_.file("small.json")) << R"({"limits": {"tmp": "8MiB", "shm": "4MiB"}})";
    ASSERT_EQ(chmod(profile_.path().c_str(), 0755), 0);
  }
  std::vector<std::string> small() const { return {"--profile", profile_.file("small.json")}; }
  TempDir profile_;
};

TEST_F(Tmpfs, AnOrdinaryUsersServerCannotFillHostMemoryThroughDevShm) {
  expect_bounded("/dev/shm", 64, {}, kAsNobody);
}

TEST_F(Tmpfs, AnOrdinaryUsersServerCannotFillHostMemoryThroughTmp) {
  expect_bounded("/tmp", 512, {}, kAsNobody);
}

TEST_F(Tmpfs, TheProfileSetsBothSizes) {
  expect_bounded("/tmp", 8, small(), kAsNobody);
  expect_bounded("/dev/shm", 4, small(), {});
}

}  // namespace
}  // namespace mcpsandbox::testing
