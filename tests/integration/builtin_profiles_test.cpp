// The built-in profiles for the Python reference servers (git, fetch, sqlite). PyPI is not
// reachable from these machines, so the real servers are tested only where they are installed
// (a test that cannot run says so and skips); a stand-in that lists the real server's captured
// tools (tests/fixtures/manifests/) proves every profile's rules at the protocol layer, and the
// fetch stand-in really connects, so the kernel layer's refusal is seen too.
#include <filesystem>

#include "tests/integration/relay_harness.h"

namespace mcpsandbox::testing {
namespace {

std::string fixtures_dir() { return std::filesystem::path(python_server_script()).parent_path(); }

// `mcpsandbox run --profile NAME [grants] -- python3 standin_server.py manifests/NAME.json`,
// initialized.
class StandIn {
 public:
  StandIn(const std::string& profile, std::vector<std::string> grants)
      : proxy_(command(profile, std::move(grants))) {
    proxy_.send_line(request(0, "initialize", {{"protocolVersion", "2025-06-18"}}));
    EXPECT_TRUE(next_message(proxy_).contains("result")) << proxy_.stderr_text();
  }
  ~StandIn() {
    proxy_.close_stdin();
    proxy_.wait();
  }
  // The call's result as the stand-in saw it, or the error mcpsandbox answered with.
  json call(const std::string& tool, json args) {
    proxy_.send_line(tool_call(++id_, tool, std::move(args)));
    json reply = next_response(proxy_);
    if (reply.contains("result")) {
      return json::parse(reply["result"]["content"][0]["text"].get<std::string>());
    }
    return reply;
  }

 private:
  static std::vector<std::string> command(const std::string& profile, std::vector<std::string> grants) {
    std::vector<std::string> argv = {mcpsandbox_binary(), "run", "--profile", profile, "--ro", fixtures_dir()};
    argv.insert(argv.end(), grants.begin(), grants.end());
    argv.insert(argv.end(), {"--", "/usr/bin/python3", fixtures_dir() + "/standin_server.py",
                             fixtures_dir() + "/manifests/" + profile + ".json"});
    return argv;
  }
  ChildProcess proxy_;
  int id_ = 0;
};

bool reached_server(const json& outcome) { return outcome.contains("tool"); }

TEST(BuiltinProfiles, GitConfinesRepositoriesAndRefusesOptionInjection) {
  TempDir repo, other;
  StandIn git("git", {"--rw", repo.path()});
  EXPECT_TRUE(reached_server(git.call("git_status", {{"repo_path", repo.path()}})));
  EXPECT_TRUE(reached_server(git.call("git_diff", {{"repo_path", repo.path()}, {"target", "main"}})));
  json outside = git.call("git_status", {{"repo_path", other.path()}});
  EXPECT_EQ(error_code_of(outside), -31013) << outside.dump();
  // CVE-2025-68144: git_diff's target was handed to git, which read `--output=` as an option.
  json injected = git.call("git_diff", {{"repo_path", repo.path()}, {"target", "--output=/root/.bashrc"}});
  EXPECT_EQ(error_code_of(injected), -31013) << injected.dump();
  json in_files = git.call("git_add", {{"repo_path", repo.path()}, {"files", {"a.c", "--chmod=+x"}}});
  EXPECT_EQ(error_code_of(in_files), -31013) << in_files.dump();
}

TEST(BuiltinProfiles, SqliteKeepsQueriesToTheirKindAndToOneDatabase) {
  TempDir db;
  StandIn sqlite("sqlite", {"--rw", db.path()});
  EXPECT_TRUE(reached_server(sqlite.call("read_query", {{"query", "SELECT * FROM users"}})));
  EXPECT_TRUE(reached_server(sqlite.call("write_query", {{"query", "INSERT INTO t VALUES (1)"}})));
  EXPECT_TRUE(reached_server(sqlite.call("list_tables", json::object())));
  for (const char* escape : {"ATTACH DATABASE '/root/.mozilla/cookies.sqlite' AS c",
                             "SELECT 1; ATTACH '/etc/x.db' AS x", "VACUUM INTO '/tmp/copy.db'",
                             "SELECT load_extension('/tmp/evil.so')", "PRAGMA writable_schema=1"}) {
    json refused = sqlite.call("read_query", {{"query", escape}});
    EXPECT_EQ(error_code_of(refused), -31013) << escape << ": " << refused.dump();
  }
  json write_in_read = sqlite.call("read_query", {{"query", "DELETE FROM users"}});
  EXPECT_EQ(error_code_of(write_in_read), -31013) << write_in_read.dump();
  json drop = sqlite.call("write_query", {{"query", "DROP TABLE users"}});
  EXPECT_EQ(error_code_of(drop), -31013) << drop.dump();
}

TEST(BuiltinProfiles, FetchReachesWebPortsOnlyAndNoInternalAddressByName) {
  if (::geteuid() != 0) GTEST_SKIP() << "the fetch profile uses host network, which needs cgroup-bpf (root)";
  StandIn fetch("fetch", {});
  json web = fetch.call("fetch", {{"url", "https://example.org/"}});
  EXPECT_TRUE(reached_server(web)) << web.dump();
  for (const char* internal : {"http://169.254.169.254/latest/meta-data/", "http://127.0.0.1:8080/",
                               "http://localhost/admin", "http://[::1]/", "http://10.1.2.3/",
                               "http://2130706433/", "file:///etc/passwd", "gopher://example.org/"}) {
    json refused = fetch.call("fetch", {{"url", internal}});
    EXPECT_EQ(error_code_of(refused), -31013) << internal << ": " << refused.dump();
  }
  // A public address on a port the profile does not list passes the URL rule; the kernel
  // refuses the connection itself: Landlock's TCP port rule (EACCES) before cgroup-bpf's
  // connect4 allowlist (EPERM) would.
  json odd_port = fetch.call("fetch", {{"url", "http://93.184.215.14:8080/"}});
  ASSERT_TRUE(reached_server(odd_port)) << odd_port.dump();
  std::string connect = odd_port.value("connect", "");
  EXPECT_TRUE(connect == "refused: EACCES" || connect == "refused: EPERM") << odd_port.dump();
}

// The real servers, where installed (python3 -m mcp_server_NAME).
bool python_module_installed(const std::string& module) {
  ChildProcess probe({"/usr/bin/python3", "-c", "import " + module});
  return probe.wait() == 0;
}

TEST(BuiltinProfiles, RealPythonReferenceServersWhereInstalled) {
  for (const char* module : {"mcp_server_git", "mcp_server_fetch", "mcp_server_sqlite"}) {
    if (!python_module_installed(module)) {
      GTEST_SKIP() << module << " is not installed for /usr/bin/python3 (PyPI is unreachable from "
                   << "this machine); the stand-in tests cover the profiles' rules";
    }
  }
  TempDir repo;
  ChildProcess init({"/usr/bin/git", "init", "-q", repo.path()});
  ASSERT_EQ(init.wait(), 0);
  ChildProcess proxy({mcpsandbox_binary(), "run", "--profile", "git", "--rw", repo.path(), "--",
                      "/usr/bin/python3", "-m", "mcp_server_git", "--repository", repo.path()});
  proxy.send_line(request(0, "initialize", {{"protocolVersion", "2025-06-18"}}));
  EXPECT_TRUE(next_message(proxy, 30s).contains("result"));
  proxy.send_line(tool_call(1, "git_status", {{"repo_path", repo.path()}}));
  EXPECT_TRUE(next_response(proxy, 30s).contains("result"));
  proxy.send_line(tool_call(2, "git_diff", {{"repo_path", repo.path()}, {"target", "--output=/tmp/x"}}));
  EXPECT_EQ(error_code_of(next_response(proxy)), -31013);
  proxy.close_stdin();
  EXPECT_EQ(proxy.wait(), 0);
}

}  // namespace
}  // namespace mcpsandbox::testing
