// Call-scoped file grants (issue #9) on this host, against a deliberately malicious server
// (tests/fixtures/grant_server.cpp): the project is `filesystem.call_scoped`, so the server
// reaches a file in it only while a call that named it is in flight. Where BPF LSM runs the
// grants are LSM map entries (refusals: EACCES); elsewhere they are per-call bind mounts into
// the sandbox's mount namespace (what was not granted is not there: ENOENT, or EROFS). The
// protocol layer checks nothing about these paths here, so every refusal is the kernel's.
// The BPF LSM path is also proven in the VM (tests/vm/vm-init.sh).
#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/integration/relay_harness.h"

namespace mcpsandbox::testing {
namespace {

class FileGrants : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "per-call mounts need root (and BPF LSM grants too)";
    project_ = dir_.file("project");
    std::filesystem::create_directories(project_ + "/sub");
    std::ofstream(project_ + "/a.txt") << "data\n";
    std::ofstream(project_ + "/secret") << "secret\n";
    std::ofstream(project_ + "/sub/b.txt") << "b\n";
    std::filesystem::create_symlink(project_ + "/secret", project_ + "/link");
    start(true);
  }
  void start(bool call_scoped, std::vector<std::string> extra = {}) {
    if (proxy_) {
      proxy_->close_stdin();
      ASSERT_EQ(proxy_->wait(20s), 0);
    }
    std::string scoped = call_scoped ? R"(, "call_scoped": [")" + project_ + R"("])" : "";
    std::ofstream(dir_.file("profile.json")) << R"({
      "filesystem": { "rw": [")" + project_ + R"("])" + scoped + R"( },
      "tools": {
        "read_file": { "grants": { "path": "read" } },
        "write_file": { "grants": { "path": "write" } },
        "hold": { "grants": { "path": "read" }, "timeout": "1500ms" },
        "hold_write": { "grants": { "path": "write" }, "timeout": "30s" }
      }
    })";
    std::vector<std::string> argv{mcpsandbox_binary(), "run", "--profile", dir_.file("profile.json"),
                                  "--audit-log", dir_.file("audit.jsonl")};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.insert(argv.end(), {"--", GRANT_SERVER_BINARY});
    proxy_.emplace(argv);
    proxy_->send_line(request(0, "initialize", {{"protocolVersion", "2025-06-18"}, {"capabilities", json::object()}}));
    ASSERT_TRUE(next_message(*proxy_, 20s).contains("result")) << proxy_->stderr_text();
  }
  json answer(int id) { return reported_result(*proxy_, id); }
  json call(int id, const std::string& tool, json args) {
    proxy_->send_line(tool_call(id, tool, std::move(args)));
    return answer(id);
  }
  // What the server could read of `path` with no call naming it (300 ms after asking).
  std::string read_out_of_band(int id, const std::string& path) {
    call(id, "read_later", {{"path", path}});
    std::this_thread::sleep_for(700ms);
    return call(id + 1, "report", json::object())["later"];
  }

  TempDir dir_;
  std::string project_;
  std::optional<ChildProcess> proxy_;
};

// Fail closed: a grant the kernel would not let go (simulated: every withdrawal fails and
// leaves its bind) must not stay with the server. The call's result is withheld with the rule,
// the sandbox ends, the audit log says why, and nothing more is called.
TEST_F(FileGrants, AGrantThatCannotBeWithdrawnEndsTheSession) {
  start(true, {"--testing-fail-grant-withdrawal"});
  json read = call(1, "read_file", {{"path", project_ + "/a.txt"}});
  EXPECT_EQ(error_code_of(read), -31025) << read.dump();
  EXPECT_EQ(read["error"]["data"]["rule"], "grants.withdraw") << read.dump();
  // The session ends by itself; a call sent meanwhile gets an error, if anything.
  proxy_->send_line(tool_call(2, "read_file", {{"path", project_ + "/a.txt"}}));
  for (const std::string& line : proxy_->read_all_lines(20s)) {
    EXPECT_TRUE(json::parse(line).contains("error")) << "no call after it: " << line;
  }
  EXPECT_EQ(proxy_->wait(20s).value_or(0), 128 + SIGKILL) << "the sandbox was ended";
  std::string audit = read_file(dir_.file("audit.jsonl"));
  EXPECT_NE(audit.find(R"("event":"grant.withdraw_failed")"), std::string::npos) << audit;
  EXPECT_NE(proxy_->stderr_text().find("ending the sandbox"), std::string::npos) << proxy_->stderr_text();
  proxy_.reset();
}

TEST_F(FileGrants, ACallReadsTheFileItNamedAndNothingBesideIt) {
  json read = call(1, "read_file", {{"path", project_ + "/a.txt"}});
  EXPECT_EQ(read["named"], "ok") << read.dump() << proxy_->stderr_text();
  EXPECT_EQ(read["sibling"], "ENOENT") << "a sibling of the granted file, mid-call: " << read.dump();
  EXPECT_EQ(read_out_of_band(2, project_ + "/a.txt"), "ENOENT") << "the grant ended with its call";
  json nested = call(4, "read_file", {{"path", project_ + "/sub/b.txt"}});
  EXPECT_EQ(nested["named"], "ok") << nested.dump();
}

TEST_F(FileGrants, AWriteGrantWritesTheNamedFileAndPlantsNothing) {
  json written = call(1, "write_file", {{"path", project_ + "/sub/b.txt"}});
  EXPECT_EQ(written["named"], "ok") << written.dump() << proxy_->stderr_text();
  EXPECT_EQ(written["sibling"], "EROFS") << "the directory around a write grant stays read-only: " << written.dump();
  EXPECT_EQ(read_file(project_ + "/sub/b.txt"), "written\n");
  EXPECT_FALSE(std::filesystem::exists(project_ + "/sub/planted"));
  json read_only = call(2, "read_file", {{"path", project_ + "/a.txt"}});
  ASSERT_EQ(read_only["named"], "ok");
  EXPECT_EQ(read_file(project_ + "/a.txt"), "data\n") << "a read grant gives no write";
}

TEST_F(FileGrants, AGrantHoldsWhileItsCallIsInFlightAndEndsWhenTheClientCancels) {
  proxy_->send_line(tool_call(1, "hold", {{"path", project_ + "/a.txt"}}));
  EXPECT_EQ(read_out_of_band(2, project_ + "/a.txt"), "ok")
      << "the sandbox holds the union of the grants of every call in flight";
  proxy_->send_line(json{{"jsonrpc", "2.0"}, {"method", "notifications/cancelled"},
                         {"params", {{"requestId", 1}, {"reason", "user gave up"}}}}.dump());
  EXPECT_EQ(read_out_of_band(4, project_ + "/a.txt"), "ENOENT")
      << "cancelled: withdrawn though the server never answered";
}

TEST_F(FileGrants, AGrantEndsWhenTheCallTimesOut) {
  proxy_->send_line(tool_call(1, "hold", {{"path", project_ + "/a.txt"}}));
  json timed_out = next_response(*proxy_, 20s);  // the profile's 1500 ms timeout
  EXPECT_EQ(error_code_of(timed_out), -31016) << timed_out.dump();
  EXPECT_EQ(read_out_of_band(2, project_ + "/a.txt"), "ENOENT");
}

TEST_F(FileGrants, ASymlinkInTheProjectNeverLeadsAGrantElsewhere) {
  json linked = call(1, "read_file", {{"path", project_ + "/link"}});
  // Refused before the server: per-call grants never bind through a symlink.
  EXPECT_EQ(error_code_of(linked), -31025) << linked.dump();
  EXPECT_EQ(linked["error"]["data"]["rule"], "grants.kernel") << linked.dump();
  EXPECT_NE(linked.dump().find("a symlink: grants never follow them"), std::string::npos) << linked.dump();
}

// Control: the same server and calls without `call_scoped` reach everything in the project, so
// the refusals above are the grants' doing.
TEST_F(FileGrants, ControlWithoutCallScopedTheWholeProjectIsReachable) {
  start(false);
  json read = call(1, "read_file", {{"path", project_ + "/a.txt"}});
  EXPECT_EQ(read["sibling"], "ok") << read.dump();
  EXPECT_EQ(read_out_of_band(2, project_ + "/a.txt"), "ok");
  json written = call(4, "write_file", {{"path", project_ + "/sub/b.txt"}});
  EXPECT_EQ(written["sibling"], "ok") << written.dump();
}

TEST_F(FileGrants, NothingOfACallStaysInViewAfterTheSession) {
  ASSERT_EQ(call(1, "read_file", {{"path", project_ + "/a.txt"}})["named"], "ok");
  proxy_->close_stdin();
  EXPECT_EQ(proxy_->wait(20s), 0) << proxy_->stderr_text();
  EXPECT_EQ(read_file(project_ + "/a.txt"), "data\n");
  EXPECT_TRUE(std::filesystem::exists(project_ + "/secret")) << "the host tree is untouched";
}

// A grant is withdrawn from the bind itself, not from the path it was made at: here the server,
// holding a write grant on a directory, moves a subdirectory in which a file is granted to
// another call. When that call ends its read-only bind must go from where it now is, or it
// would keep shadowing the file (a write through the directory's grant then fails with EROFS).
TEST_F(FileGrants, AGrantIsWithdrawnWhereverTheServerMovedIt) {
  std::filesystem::create_directories(project_ + "/sub/inner");
  std::ofstream(project_ + "/sub/inner/c.txt") << "c\n";
  proxy_->send_line(tool_call(1, "hold_write", {{"path", project_ + "/sub"}}));
  proxy_->send_line(tool_call(2, "hold", {{"path", project_ + "/sub/inner/c.txt"}}));
  json moved = call(3, "move_aside", {{"path", project_ + "/sub/inner"}});
  ASSERT_EQ(moved["named"], "ok") << moved.dump() << proxy_->stderr_text();
  ASSERT_TRUE(std::filesystem::exists(project_ + "/sub/moved/c.txt"));
  proxy_->send_line(json{{"jsonrpc", "2.0"}, {"method", "notifications/cancelled"},
                         {"params", {{"requestId", 2}}}}.dump());
  call(4, "write_later", {{"path", project_ + "/sub/moved/c.txt"}});
  std::this_thread::sleep_for(700ms);
  EXPECT_EQ(read_file(project_ + "/sub/moved/c.txt"), "written\n")
      << "the ended call's bind still shadows the file: " << proxy_->stderr_text();
  EXPECT_EQ(proxy_->stderr_text().find("cannot withdraw"), std::string::npos) << proxy_->stderr_text();
}

// How many mounts the host has at or beneath `path` (its own mount table, not the sandbox's).
int host_mounts_beneath(const std::string& path) {
  std::ifstream table("/proc/self/mountinfo");
  int count = 0;
  for (std::string line; std::getline(table, line);) {
    std::istringstream fields(line);
    std::string id, parent, device, root, point;
    fields >> id >> parent >> device >> root >> point;
    if (point == path || point.rfind(path + "/", 0) == 0) ++count;
  }
  return count;
}

// The project on a shared mount (as on hosts where / is shared, systemd's default): a file
// granted inside a granted directory is a mount in the sandbox beneath that directory's bind,
// and it must never propagate back to the host's mount table.
TEST_F(FileGrants, AGrantInsideAGrantedDirectoryOfASharedMountStaysInTheSandbox) {
  ASSERT_EQ(::mount(project_.c_str(), project_.c_str(), nullptr, MS_BIND, nullptr), 0) << std::strerror(errno);
  struct Unmount {
    std::string path;
    ~Unmount() { ::umount2(path.c_str(), MNT_DETACH); }
  } unmount{project_};
  ASSERT_EQ(::mount(nullptr, project_.c_str(), nullptr, MS_SHARED, nullptr), 0) << std::strerror(errno);
  start(true);
  ASSERT_EQ(host_mounts_beneath(project_), 1);
  proxy_->send_line(tool_call(1, "hold", {{"path", project_ + "/sub"}}));
  proxy_->send_line(tool_call(2, "hold", {{"path", project_ + "/sub/b.txt"}}));
  // Both calls in flight (proven by a read under their union), then the host's table.
  EXPECT_EQ(read_out_of_band(3, project_ + "/sub/b.txt"), "ok") << proxy_->stderr_text();
  EXPECT_EQ(host_mounts_beneath(project_), 1) << "a grant's mount propagated into the host's mount table";
  proxy_->close_stdin();
  EXPECT_EQ(proxy_->wait(20s), 0) << proxy_->stderr_text();
  proxy_.reset();
  EXPECT_EQ(host_mounts_beneath(project_), 1);
}

}  // namespace
}  // namespace mcpsandbox::testing
