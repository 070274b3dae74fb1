// LsmCallGrants against real BPF hash maps shaped like the L5 programs' (root; skipped
// otherwise): which entries a call's grants add, the union for concurrent calls, and that every
// entry goes (or goes back to the baseline's value) when its calls end. Whether the kernel then
// enforces the entries is the VM test's part (tests/vm).
#include "launcher/lsm_call_grants.h"

#include <bpf/bpf.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>

#include "launcher/bpf_types.h"

namespace mcpsandbox {
namespace {

constexpr uint32_t kRead = MCPSANDBOX_RIGHT_READ, kWrite = MCPSANDBOX_RIGHT_WRITE,
                   kExec = MCPSANDBOX_RIGHT_EXEC, kRun = MCPSANDBOX_RIGHT_RUN;
constexpr uint64_t kCgroup = 4242;

class LsmCallGrantsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    inodes_.reset(bpf_map_create(BPF_MAP_TYPE_HASH, "test_inodes", sizeof(mcpsandbox_inode_key), 4, 64, nullptr));
    LIBBPF_OPTS(bpf_map_create_opts, trie, .map_flags = BPF_F_NO_PREALLOC);
    named_.reset(bpf_map_create(BPF_MAP_TYPE_LPM_TRIE, "test_named", sizeof(mcpsandbox_named_key), 4, 64, &trie));
    if (!inodes_.valid() || !named_.valid()) {
      GTEST_SKIP() << "cannot create BPF maps here (needs root): " << std::strerror(errno);
    }
    root_ = std::filesystem::temp_directory_path() / ("lsm-grants-" + std::to_string(::getpid()));
    std::filesystem::create_directories(root_ / "project" / "sub");
    std::filesystem::create_directories(root_ / "docs");
    std::ofstream(root_ / "project" / "a.txt") << "a";
    std::ofstream(root_ / "docs" / "d.txt") << "d";
  }
  void TearDown() override {
    if (!root_.empty()) std::filesystem::remove_all(root_);
  }
  std::string path(const std::string& relative) const { return (root_ / relative).string(); }
  // Project: read-write and call-scoped; docs: read-only, not call-scoped; /usr: system.
  LsmCallGrants make(bool run_granted = false) {
    std::vector<LsmPathRule> baseline = {
        {"/usr", kRead | kExec | (run_granted ? 0 : kRun)},
        {path("project"), kRead | kWrite, false, true},
        {path("docs"), kRead | kExec, false, true},
        {path("project"), 0, true},
    };
    return LsmCallGrants(UniqueFd(::dup(inodes_.get())), UniqueFd(::dup(named_.get())), kCgroup,
                         baseline, run_granted);
  }
  std::optional<uint32_t> inode_entry(const std::string& file) const {
    struct stat info {};
    if (::stat(file.c_str(), &info) < 0) return std::nullopt;
    mcpsandbox_inode_key key{};
    key.cgroup_id = kCgroup;
    key.dev = (major(info.st_dev) << 20) | minor(info.st_dev);
    key.ino = info.st_ino;
    uint32_t value = 0;
    if (bpf_map_lookup_elem(inodes_.get(), &key, &value)) return std::nullopt;
    return value;
  }
  std::optional<uint32_t> named_entry(const std::string& dir, const std::string& name) const {
    struct stat info {};
    if (::stat(dir.c_str(), &info) < 0) return std::nullopt;
    mcpsandbox_named_key key{};
    key.cgroup_id = kCgroup;
    key.dev = (major(info.st_dev) << 20) | minor(info.st_dev);
    key.ino = info.st_ino;
    std::memcpy(key.name, name.data(), name.size());
    key.prefixlen = MCPSANDBOX_NAMED_FIXED_BITS + MCPSANDBOX_NAME_BYTES * 8;  // as the LSM looks up
    uint32_t value = 0;
    if (bpf_map_lookup_elem(named_.get(), &key, &value)) return std::nullopt;
    return value;
  }

  UniqueFd inodes_, named_;
  std::filesystem::path root_;
};

TEST_F(LsmCallGrantsTest, AReadGrantBeneathACallScopedPathLastsAsLongAsItsCall) {
  LsmCallGrants grants = make();
  CallGrants call;
  call.read = {path("project/a.txt")};
  ASSERT_TRUE(grants.grant("1", call));
  EXPECT_EQ(inode_entry(path("project/a.txt")), kRead);
  EXPECT_EQ(inode_entry(path("project")), std::nullopt) << "the directory itself stays walled";
  EXPECT_TRUE(grants.release("1").ok());
  EXPECT_EQ(inode_entry(path("project/a.txt")), std::nullopt);
  EXPECT_EQ(grants.held(), 0u);
}

TEST_F(LsmCallGrantsTest, ConcurrentCallsGetTheUnionUntilTheLastEnds) {
  LsmCallGrants grants = make();
  CallGrants reader, writer;
  reader.read = {path("project/a.txt")};
  writer.write = {path("project/a.txt")};
  ASSERT_TRUE(grants.grant("r", reader));
  ASSERT_TRUE(grants.grant("w", writer));
  EXPECT_EQ(inode_entry(path("project/a.txt")), kRead | kWrite);
  EXPECT_TRUE(grants.release("w").ok());
  EXPECT_EQ(inode_entry(path("project/a.txt")), kRead) << "the writer's right went with its call";
  EXPECT_TRUE(grants.release("w").ok());  // idempotent
  EXPECT_EQ(inode_entry(path("project/a.txt")), kRead);
  EXPECT_TRUE(grants.release("r").ok());
  EXPECT_EQ(inode_entry(path("project/a.txt")), std::nullopt);
}

TEST_F(LsmCallGrantsTest, AWriteGrantForANewFileIsByDirectoryAndName) {
  LsmCallGrants grants = make();
  CallGrants call;
  call.write = {path("project/sub/new.txt")};
  ASSERT_TRUE(grants.grant("1", call));
  EXPECT_EQ(named_entry(path("project/sub"), "new.txt"), kRead | kWrite);
  EXPECT_EQ(named_entry(path("project/sub"), "new.txt.5f3a.tmp"), kRead | kWrite)
      << "an atomic write's temporary sibling";
  EXPECT_EQ(named_entry(path("project/sub"), "new.txtx"), std::nullopt);
  EXPECT_EQ(named_entry(path("project/sub"), "planted"), std::nullopt);
  EXPECT_EQ(inode_entry(path("project/sub")), std::nullopt) << "not the whole directory";
  EXPECT_TRUE(grants.release("1").ok());
  EXPECT_EQ(named_entry(path("project/sub"), "new.txt"), std::nullopt);
  EXPECT_EQ(named_entry(path("project/sub"), "new.txt.5f3a.tmp"), std::nullopt);
}

TEST_F(LsmCallGrantsTest, AWriteGrantOfAnExistingFileAlsoLetsItBeReplacedByName) {
  LsmCallGrants grants = make();
  CallGrants call;
  call.write = {path("project/a.txt")};
  ASSERT_TRUE(grants.grant("1", call));
  EXPECT_EQ(inode_entry(path("project/a.txt")), kRead | kWrite);
  EXPECT_EQ(named_entry(path("project"), "a.txt"), kRead | kWrite) << "rename over it, unlink it";
  EXPECT_EQ(named_entry(path("project"), "a.txt.tmp"), kRead | kWrite);
  EXPECT_EQ(named_entry(path("project"), "secret"), std::nullopt);
  CallGrants reader;
  reader.read = {path("project/a.txt")};
  ASSERT_TRUE(grants.grant("2", reader));
  EXPECT_EQ(named_entry(path("project"), "b.txt"), std::nullopt) << "a read grant adds no names";
  EXPECT_TRUE(grants.release("1").ok());
  EXPECT_EQ(named_entry(path("project"), "a.txt"), std::nullopt);
  EXPECT_EQ(inode_entry(path("project/a.txt")), kRead);
}

TEST_F(LsmCallGrantsTest, ANameTooLongToGrantRefusesTheCallAndKeepsNothing) {
  LsmCallGrants grants = make();
  CallGrants call;
  call.read = {path("project/a.txt")};
  call.write = {path("project/" + std::string(80, 'n'))};
  auto granted = grants.grant("1", call);
  ASSERT_FALSE(granted);
  EXPECT_NE(granted.error().message.find("longer than"), std::string::npos) << granted.error().message;
  EXPECT_EQ(inode_entry(path("project/a.txt")), std::nullopt) << "the call's earlier grants are undone";
  EXPECT_EQ(grants.held(), 0u);
}

TEST_F(LsmCallGrantsTest, GrantsNeverExceedTheViewNorAddWhereTheBaselineDecides) {
  LsmCallGrants grants = make();
  CallGrants call;
  call.write = {path("docs/d.txt")};      // read-only and not call-scoped: the baseline decides
  call.read = {"/etc/shadow"};            // outside the view entirely
  call.exec = {path("project/a.txt")};    // beneath a read-write path: nothing can be mapped there
  ASSERT_TRUE(grants.grant("1", call));
  EXPECT_EQ(grants.held(), 0u);
  EXPECT_EQ(inode_entry(path("docs/d.txt")), std::nullopt);
  EXPECT_EQ(inode_entry("/etc/shadow"), std::nullopt);
  EXPECT_EQ(inode_entry(path("project/a.txt")), std::nullopt);
}

TEST_F(LsmCallGrantsTest, ExecGrantsAddTheRightToRunOnlyWhereProgramsAreConfined) {
  CallGrants call;
  call.exec = {"/usr/bin/env"};
  {
    LsmCallGrants unconfined = make(false);
    ASSERT_TRUE(unconfined.grant("1", call));
    EXPECT_EQ(unconfined.held(), 0u) << "without filesystem.exec every mapped program runs already";
  }
  LsmCallGrants confined = make(true);
  ASSERT_TRUE(confined.grant("1", call));
  EXPECT_EQ(inode_entry("/usr/bin/env"), kRead | kExec | kRun);
  EXPECT_TRUE(confined.release("1").ok());
  EXPECT_EQ(inode_entry("/usr/bin/env"), std::nullopt);
}

TEST_F(LsmCallGrantsTest, ABaselineEntryOnTheSameInodeComesBackAfterTheCall) {
  struct stat info {};
  ASSERT_EQ(::stat("/usr/bin/env", &info), 0);
  mcpsandbox_inode_key key{};
  key.cgroup_id = kCgroup;
  key.dev = (major(info.st_dev) << 20) | minor(info.st_dev);
  key.ino = info.st_ino;
  uint32_t baseline = kRead;  // as if the profile granted that very file
  ASSERT_EQ(bpf_map_update_elem(inodes_.get(), &key, &baseline, BPF_ANY), 0);
  LsmCallGrants grants = make(true);
  CallGrants call;
  call.exec = {"/usr/bin/env"};
  ASSERT_TRUE(grants.grant("1", call));
  EXPECT_EQ(inode_entry("/usr/bin/env"), kRead | kRun);
  EXPECT_TRUE(grants.release("1").ok());
  EXPECT_EQ(inode_entry("/usr/bin/env"), kRead);
}

TEST_F(LsmCallGrantsTest, EverythingStillHeldGoesWithTheSession) {
  {
    LsmCallGrants grants = make();
    CallGrants call;
    call.read = {path("project/a.txt")};
    call.write = {path("project/new.txt")};
    ASSERT_TRUE(grants.grant("never answered", call));
  }
  EXPECT_EQ(inode_entry(path("project/a.txt")), std::nullopt);
  EXPECT_EQ(named_entry(path("project"), "new.txt"), std::nullopt);
}

}  // namespace
}  // namespace mcpsandbox
