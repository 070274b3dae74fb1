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

TEST(Runtimes, AScriptOutsideTheGrantsIsNotThere) {
  ChildProcess proxy({mcpsandbox_binary(), "run", "--", "/usr/bin/python3", python_server_script()});
  EXPECT_EQ(proxy.wait(), 2) << "python's exit status for a missing script";
  EXPECT_NE(proxy.stderr_text().find("No such file"), std::string::npos);
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
