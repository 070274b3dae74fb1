// The sandbox's own cgroup: created with the profile's limits while the server runs, and gone
// once it ends.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tests/escape/escape_harness.h"
#include "tests/support/machine_features.h"

namespace mcpsandbox::testing {
namespace {

std::string trimmed(const std::string& path) {
  std::string text = read_file(path);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

TEST(CgroupLimits, AppliesTheProfilesLimitsAndRemovesTheCgroupAfterwards) {
  MCPSANDBOX_NEEDS("cgroups", running_as_root(), "cgroups of its own need root (or a delegated cgroup: the VM suite)");
  // Where the limits are is the machine's fact: a v1 memory hierarchy (hybrid hosts) or v2.
  bool v1 = std::filesystem::exists("/sys/fs/cgroup/memory/memory.limit_in_bytes");
  std::string line;  // v2: doctor names the cgroup it creates sandboxes under
  if (!v1) {
    ChildProcess doctor({mcpsandbox_binary(), "doctor"});
    for (const auto& l : doctor.read_all_lines(20s)) {
      if (l.find("cgroup limits") != std::string::npos) line = l;
    }
  }

  TempDir dir;
  std::ofstream(dir.file("p.json")) << R"({"limits": {"processes": 77, "memory": "300MiB", "cpus": 0.5}})";
  ChildProcess proxy({mcpsandbox_binary(), "run", "--profile", dir.file("p.json"), "--",
                      fixture_server_binary()});
  proxy.send_line(R"({"jsonrpc":"2.0","id":1,"method":"ping"})");
  ASSERT_TRUE(proxy.read_line(10s).has_value()) << proxy.stderr_text();
  std::string name = "mcpsandbox-" + std::to_string(proxy.pid());
  std::vector<std::string> dirs;
  if (v1) {
    std::string base = "/sys/fs/cgroup/";
    EXPECT_EQ(trimmed(base + "pids/mcpsandbox/" + name + "/pids.max"), "77");
    EXPECT_EQ(trimmed(base + "memory/mcpsandbox/" + name + "/memory.limit_in_bytes"),
              std::to_string(300u << 20));
    EXPECT_EQ(trimmed(base + "cpu/mcpsandbox/" + name + "/cpu.cfs_quota_us"), "50000");
    dirs = {base + "pids/mcpsandbox/" + name, base + "memory/mcpsandbox/" + name,
            base + "cpu/mcpsandbox/" + name};
  } else {
    std::string own = line.substr(line.find("under ") + 6);
    dirs = {own + "/" + name};
    EXPECT_EQ(trimmed(dirs[0] + "/pids.max"), "77");
    EXPECT_EQ(trimmed(dirs[0] + "/cpu.max"), "50000 100000");
  }
  proxy.close_stdin();
  EXPECT_EQ(proxy.wait(), 0);
  for (const auto& d : dirs) EXPECT_FALSE(std::filesystem::exists(d)) << d << " left behind";
}

}  // namespace
}  // namespace mcpsandbox::testing
