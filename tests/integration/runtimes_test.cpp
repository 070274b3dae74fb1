// Real runtimes inside the sandbox: a Python server, a statically linked binary, and the
// shapes of failure a user meets (a missing command, a bad grant).
#include <filesystem>
#include <fstream>

#include "tests/integration/relay_harness.h"

namespace mcpsandbox::testing {
namespace {

TEST(Runtimes, RunsAPythonServer) {
  // The script lives outside the system directories: it needs a grant like any other file.
  std::string script_dir = std::filesystem::path(python_server_script()).parent_path();
  ChildProcess proxy({mcpsandbox_binary(), "run", "--ro", script_dir, "--", "/usr/bin/python3",
                      python_server_script()});
  proxy.send_line(request(1, "initialize", {{"protocolVersion", "2025-06-18"}}));
  EXPECT_EQ(next_message(proxy)["result"]["serverInfo"]["name"], "python-fixture");
  proxy.send_line(tool_call(2, "whoami"));
  json who = json::parse(next_message(proxy)["result"]["content"][0]["text"].get<std::string>());
  EXPECT_EQ(who["host"], "mcpsandbox");
  EXPECT_EQ(who["home_visible"], false) << "the home directory is not part of the view";
  proxy.close_stdin();
  EXPECT_EQ(proxy.wait(), 0) << proxy.stderr_text();
}

TEST(Runtimes, RunsAStaticBinary) {
  McpClient proxy({mcpsandbox_binary(), "run", "--", echo_server_static_binary(), "5"});
  proxy.send_line(tool_call(1, "echo"));
  EXPECT_EQ(next_message(proxy)["result"]["content"][0]["text"], "xxxxx");
  proxy.close_stdin();
  EXPECT_EQ(proxy.wait(), 0) << proxy.stderr_text();
}

// A local server on the first try: the script an interpreter runs is shown read-only with its
// project, however it was named, and the server starts where it was invoked if that is in the
// project (a CI checkout), else in the project.
class LocalScripts : public ::testing::TestWithParam<bool> {  // as root, as an ordinary user
 protected:
  void SetUp() override {
    if (GetParam() && geteuid() != 0) GTEST_SKIP() << "switching to an ordinary user needs root";
    std::filesystem::permissions(base_.path(), std::filesystem::perms::all);
    std::filesystem::create_directories(base_.file("home"));
    std::filesystem::permissions(base_.file("home"), std::filesystem::perms::all);
    std::filesystem::create_directories(project() + "/dist");
    std::filesystem::copy_file(python_server_script(), project() + "/dist/server.py");
    std::ofstream(project() + "/pyproject.toml") << "[project]\nname = \"local\"\n";
  }
  std::string project() const { return base_.file("proj"); }
  // mcpsandbox started from `directory` with `command` after `run --`.
  std::vector<std::string> started_in(const std::string& directory, const std::string& command) const {
    std::vector<std::string> argv;
    // An ordinary user with a home of their own.
    if (GetParam()) {
      argv = {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--", "/usr/bin/env",
              "HOME=" + base_.file("home")};
    }
    argv.insert(argv.end(), {"/bin/sh", "-c", "cd " + directory + " && exec \"$0\" run -- " + command,
                             mcpsandbox_binary()});
    return argv;
  }
  // The server answers, runs in `cwd`, and the log names what of its code is shown.
  void expect_serves(ChildProcess& proxy, const std::string& shown, const std::string& cwd) {
    proxy.send_line(request(1, "initialize", {{"protocolVersion", "2025-06-18"}}));
    EXPECT_EQ(next_message(proxy)["result"]["serverInfo"]["name"], "python-fixture") << proxy.stderr_text();
    proxy.close_stdin();
    EXPECT_EQ(proxy.wait(), 0);
    std::string log = proxy.stderr_text();
    EXPECT_NE(log.find("the server's code: " + shown + " (read-only); working directory " + cwd), std::string::npos)
        << log;
  }
  TempDir base_;
};

TEST_P(LocalScripts, ARelativeScriptRunsFromItsProject) {
  ChildProcess proxy(started_in(project(), "/usr/bin/python3 dist/server.py"));
  expect_serves(proxy, project(), project());
}

TEST_P(LocalScripts, AScriptNamedFromElsewhereRunsInItsProject) {
  ChildProcess proxy(started_in(base_.path(), "/usr/bin/python3 proj/dist/server.py"));
  expect_serves(proxy, project(), project());
}

TEST_P(LocalScripts, ACheckoutsWorkingDirectoryIsKept) {
  std::filesystem::create_directories(project() + "/data");
  ChildProcess proxy(started_in(project() + "/data", "/usr/bin/python3 ../dist/server.py"));
  expect_serves(proxy, project(), project() + "/data");
}

TEST_P(LocalScripts, AScriptInAHomeLikeDirectoryIsShownAlone) {
  // base_ holds a shell start-up file: it is no project to show whole.
  std::ofstream(base_.file(".bashrc")) << "# the user's\n";
  std::filesystem::copy_file(python_server_script(), base_.file("server.py"));
  std::filesystem::remove(project() + "/pyproject.toml");
  ChildProcess proxy(started_in(base_.path(), "/usr/bin/python3 server.py"));
  expect_serves(proxy, base_.file("server.py"), "/");
}

TEST_P(LocalScripts, AToolInstalledInItsOwnEnvironmentRunsByItsNameOnPath) {
  // As `uv tool install` or pipx leave it: a virtual environment under ~/.local/share, its
  // launcher linked from ~/.local/bin, which is on PATH.
  std::string home = base_.file("home");
  std::string environment = home + "/.local/share/uv/tools/pysrv";
  std::filesystem::create_directories(home + "/.local/bin");
  ChildProcess make({"/usr/bin/python3", "-m", "venv", "--without-pip", environment});
  ASSERT_EQ(make.wait(60s), 0) << make.stderr_text();
  std::ofstream(environment + "/bin/pysrv") << "#!" << environment << "/bin/python\n" << read_file(python_server_script());
  std::filesystem::permissions(environment + "/bin/pysrv", std::filesystem::perms::owner_all |
                                                               std::filesystem::perms::group_read |
                                                               std::filesystem::perms::others_read |
                                                               std::filesystem::perms::group_exec |
                                                               std::filesystem::perms::others_exec);
  std::filesystem::create_symlink(environment + "/bin/pysrv", home + "/.local/bin/pysrv");
  std::vector<std::string> argv;
  if (GetParam()) argv = {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"};
  argv.insert(argv.end(), {"/usr/bin/env", "HOME=" + home, "PATH=" + home + "/.local/bin:/usr/bin:/bin",
                           mcpsandbox_binary(), "run", "--", "pysrv"});
  ChildProcess proxy(argv);
  proxy.send_line(request(1, "initialize", {{"protocolVersion", "2025-06-18"}}));
  EXPECT_EQ(next_message(proxy)["result"]["serverInfo"]["name"], "python-fixture") << proxy.stderr_text();
  proxy.close_stdin();
  EXPECT_EQ(proxy.wait(), 0) << proxy.stderr_text();
}

// Only an ordinary user meets a directory closed to them.
class ClosedHome : public LocalScripts {};

TEST_P(ClosedHome, APresetCacheTheUserCannotOpenIsLeftOut) {  // HOME names a directory this user may not enter (sudo -u keeps root's): the python preset's
  // ~/.cache/uv is not theirs to see, so it is left out instead of failing the launch.
  ChildProcess proxy({"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--", "/usr/bin/env",
                      "HOME=/root", "/bin/sh", "-c", "cd " + project() + " && exec \"$0\" run -- /usr/bin/python3 dist/server.py",
                      mcpsandbox_binary()});
  expect_serves(proxy, project(), project());
}

INSTANTIATE_TEST_SUITE_P(AsRootAndAsAnOrdinaryUser, LocalScripts, ::testing::Values(false, true),
                         [](const auto& test) { return std::string(test.param ? "nobody" : "root"); });
INSTANTIATE_TEST_SUITE_P(AsAnOrdinaryUser, ClosedHome, ::testing::Values(true),
                         [](const auto&) { return std::string("nobody"); });

// A server that dies of what the sandbox kept from it is told (and the user) how to grant it.
TEST(Runtimes, AServerThatExitsOverAHiddenOrReadOnlyFileGetsTheGrantThatWouldHelp) {
  TempDir data;
  std::ofstream(data.file("input.txt")) << "hello\n";
  auto exits_with = [](std::vector<std::string> argv) {
    ChildProcess proxy(std::move(argv));
    proxy.send_line(request(1, "initialize", {{"protocolVersion", "2025-06-18"}}));
    json reply = next_message(proxy);
    proxy.close_stdin();
    proxy.wait();
    EXPECT_EQ(error_code_of(reply), -31001) << reply;
    return std::make_pair(reply.dump(), proxy.stderr_text());
  };
  auto [hidden, hidden_log] = exits_with({mcpsandbox_binary(), "run", "--", "/usr/bin/python3", "-c",
                                          "open('" + data.file("input.txt") + "')"});
  std::string advice = "the sandbox hid " + data.file("input.txt") +
                       " (it exists on the host, outside the server's view): to show it, add --ro " + data.path();
  EXPECT_NE(hidden.find(advice), std::string::npos) << hidden;
  EXPECT_NE(hidden_log.find(advice), std::string::npos) << hidden_log;
  auto [read_only, read_only_log] = exits_with({mcpsandbox_binary(), "run", "--ro", data.path(), "--", "/usr/bin/python3",
                                                "-c", "open('" + data.file("out.txt") + "', 'w')"});
  EXPECT_NE(read_only.find("the server could not write " + data.file("out.txt") +
                           " (read-only in its view): to let it, add --rw " + data.path()),
            std::string::npos) << read_only << read_only_log;
}

TEST(Runtimes, ExplainsACommandMissingInsideTheSandbox) {
  ChildProcess proxy({mcpsandbox_binary(), "run", "--", "no-such-mcp-server"});
  EXPECT_EQ(proxy.wait(), 127);
  EXPECT_NE(proxy.stderr_text().find("cannot execute 'no-such-mcp-server'"), std::string::npos);
}

TEST(Runtimes, RefusesGrantsThatPassThroughSymlinks) {
  TempDir dir;
  std::filesystem::create_directory(dir.file("real"));
  std::filesystem::create_directory_symlink(dir.file("real"), dir.file("link"));
  ChildProcess proxy({mcpsandbox_binary(), "run", "--rw", dir.file("link"), "--",
                      fixture_server_binary()});
  EXPECT_EQ(proxy.wait(), 125);
  EXPECT_NE(proxy.stderr_text().find("symlink"), std::string::npos) << proxy.stderr_text();
}

TEST(Runtimes, RejectsABadProfileWithFileAndPointer) {
  TempDir dir;
  std::ofstream(dir.file("bad.json")) << R"({"filesystem": {"rw": ["/tmp"], "execute": []}})";
  ChildProcess proxy({mcpsandbox_binary(), "run", "--profile", dir.file("bad.json"), "--",
                      fixture_server_binary()});
  EXPECT_EQ(proxy.wait(), 2);
  EXPECT_NE(proxy.stderr_text().find("bad.json: /filesystem/execute: unknown key 'execute'"),
            std::string::npos)
      << proxy.stderr_text();
}

}  // namespace
}  // namespace mcpsandbox::testing

namespace mcpsandbox::testing {
namespace {

TEST(ProfileCheck, AcceptsTheShippedExampleAndPrintsItsPlan) {
  std::string example = std::string(PROJECT_SOURCE_DIR) + "/profiles/examples/filesystem-project.json";
  ChildProcess check({mcpsandbox_binary(), "profile", "check", example, "--", "npx", "-y", "pkg"});
  std::string out;
  for (const auto& line : check.read_all_lines()) out += line + "\n";
  EXPECT_EQ(check.wait(), 0) << check.stderr_text();
  EXPECT_NE(out.find("valid"), std::string::npos) << out;
  EXPECT_NE(out.find("/src/project"), std::string::npos) << out;
  EXPECT_NE(out.find("overlay"), std::string::npos) << "node preset: " << out;
  EXPECT_NE(out.find("NODE_ENV"), std::string::npos) << out;
}

TEST(ProfileCheck, ShowsCallScopedPathsAndWhatConnectGrantsMayOpen) {
  TempDir dir;
  std::filesystem::create_directories(dir.file("project"));
  std::ofstream(dir.file("profile.json")) << R"({
    "filesystem": { "rw": [")" + dir.file("project") + R"("], "call_scoped": true },
    "network": { "mode": "host", "allow": ["127.0.0.53:53"] },
    "tools": { "fetch": { "grants": { "url": "connect" } } }
  })";
  ChildProcess check({mcpsandbox_binary(), "profile", "check", dir.file("profile.json"), "--", "/bin/true"});
  std::string out;
  for (const auto& line : check.read_all_lines()) out += line + "\n";
  EXPECT_EQ(check.wait(), 0) << check.stderr_text();
  EXPECT_NE(out.find("scoped   " + dir.file("project")), std::string::npos) << out;
  EXPECT_NE(out.find("allowed destinations: 1; connect grants open public addresses only"), std::string::npos) << out;
}

}  // namespace
}  // namespace mcpsandbox::testing
