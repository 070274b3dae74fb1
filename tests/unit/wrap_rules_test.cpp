#include "profiles/clients/wrap_rules.h"

#include <gtest/gtest.h>

namespace mcpsandbox {
namespace {

ServerEntry entry(std::string command, std::vector<std::string> args, std::vector<std::string> env = {}) {
  ServerEntry e;
  e.name = "s";
  e.command = std::move(command);
  e.args = std::move(args);
  e.env_names = std::move(env);
  return e;
}

TEST(WrapRules, KnownServersGetTheirProfilesAndGrants) {
  auto fs = decide_wrap(entry("npx", {"-y", "@modelcontextprotocol/server-filesystem@2026.8.31", "/home/me/a", "/srv/b"}));
  EXPECT_EQ(fs.profile, "filesystem");
  EXPECT_EQ(fs.run_options, (std::vector<std::string>{"--rw", "/home/me/a", "--rw", "/srv/b"}));
  auto git = decide_wrap(entry("uvx", {"mcp-server-git", "--repository", "/home/me/repo"}));
  EXPECT_EQ(git.profile, "git");
  EXPECT_EQ(git.run_options, (std::vector<std::string>{"--rw", "/home/me/repo"}));
  auto sqlite = decide_wrap(entry("uvx", {"--from", "mcp-server-sqlite==0.6", "mcp-server-sqlite", "--db-path=/data/x.db"}));
  EXPECT_EQ(sqlite.profile, "sqlite") << sqlite.reason;
  EXPECT_EQ(sqlite.run_options, (std::vector<std::string>{"--rw", "/data"}));
  EXPECT_EQ(decide_wrap(entry("python3", {"-m", "mcp_server_fetch"})).profile, "fetch");
  EXPECT_EQ(decide_wrap(entry("node", {"/x/node_modules/@modelcontextprotocol/server-memory/dist/index.js"})).profile, "memory");
}

TEST(WrapRules, NoServerIsGrantedAHomeDirectory) {
  WrapContext machine{"/home/me", [](const std::string& path) {
                        return path == "/home/me/.bashrc" || path == "/home/me/test.db-journal";
                      }};
  auto sqlite = decide_wrap(entry("uvx", {"mcp-server-sqlite", "--db-path", "~/test.db"}), machine);
  EXPECT_EQ(sqlite.run_options, (std::vector<std::string>{"--rw", "/home/me/test.db", "--rw", "/home/me/test.db-journal"}));
  EXPECT_NE(sqlite.reason.find("only its database file is granted, as /home/me is not (it is your home directory)"),
            std::string::npos) << sqlite.reason;
  auto in_own_directory = decide_wrap(entry("uvx", {"mcp-server-sqlite", "--db-path", "~/data/test.db"}), machine);
  EXPECT_EQ(in_own_directory.run_options, (std::vector<std::string>{"--rw", "/home/me/data"}));
  auto git = decide_wrap(entry("uvx", {"mcp-server-git", "--repository", "/home/me"}), machine);
  EXPECT_TRUE(git.run_options.empty());
  EXPECT_NE(git.reason.find("--repository /home/me not granted (it is your home directory)"), std::string::npos) << git.reason;
  auto fs = decide_wrap(entry("npx", {"-y", "@modelcontextprotocol/server-filesystem", "/home/me", "/home/me/src"}), machine);
  EXPECT_EQ(fs.run_options, (std::vector<std::string>{"--rw", "/home/me/src"}));
}

TEST(WrapRules, TheMemoryServersGraphOutlivesTheSession) {
  WrapContext machine{"/home/me", [](const std::string&) { return false; }};
  auto fresh = decide_wrap(entry("npx", {"-y", "@modelcontextprotocol/server-memory"}), machine);
  EXPECT_EQ(fresh.run_options, (std::vector<std::string>{"--rw", "/home/me/mcp-data/memory", "--env",
                                                         "MEMORY_FILE_PATH=/home/me/mcp-data/memory/memory.jsonl"}));
  EXPECT_EQ(fresh.make_directories, std::vector<std::string>{"/home/me/mcp-data/memory"});
  ServerEntry named = entry("npx", {"-y", "@modelcontextprotocol/server-memory"}, {"MEMORY_FILE_PATH"});
  named.data_env["MEMORY_FILE_PATH"] = "/data/graph/memory.jsonl";
  auto chosen = decide_wrap(named, machine);
  EXPECT_EQ(chosen.run_options, (std::vector<std::string>{"--rw", "/data/graph", "--env", "MEMORY_FILE_PATH"}));
  named.data_env["MEMORY_FILE_PATH"] = "~/memory.jsonl";
  auto in_home = decide_wrap(named, machine);
  EXPECT_EQ(in_home.run_options, (std::vector<std::string>{"--env", "MEMORY_FILE_PATH"}));
  EXPECT_NE(in_home.reason.find("MEMORY_FILE_PATH's directory /home/me not granted (it is your home directory)"),
            std::string::npos) << in_home.reason;
}

TEST(WrapRules, UnknownServersGetTheirRuntimePresetAndKeepTheirEnvironment) {
  auto weather = decide_wrap(entry("node", {"/opt/weather/index.js"}, {"API_KEY"}));
  EXPECT_EQ(weather.profile, "node");
  EXPECT_EQ(weather.run_options, (std::vector<std::string>{"--env", "API_KEY"}));
  ServerEntry scripted = entry("python3", {"/opt/tool/server.py"});
  scripted.script_root = "/opt/tool";
  EXPECT_EQ(decide_wrap(scripted).run_options, (std::vector<std::string>{"--ro", "/opt/tool"}));
  EXPECT_EQ(decide_wrap(entry("/usr/local/bin/github-mcp-server", {"stdio"})).profile, "static");
}

TEST(WrapRules, RemoteAndWrappedEntriesAreLeftAloneAndUnwrapIsTheInverse) {
  ServerEntry remote = entry("", {});
  remote.transport = "http";
  EXPECT_FALSE(decide_wrap(remote).wrap);
  ServerEntry original = entry("npx", {"-y", "@modelcontextprotocol/server-everything"}, {"X"});
  WrapDecision decision = decide_wrap(original);
  ServerEntry wrapped = original;
  wrapped.command = "/usr/bin/mcpsandbox";
  wrapped.args = wrapped_args(decision, original);
  std::string profile;
  EXPECT_TRUE(is_wrapped(wrapped, &profile));
  EXPECT_EQ(profile, "everything");
  EXPECT_FALSE(decide_wrap(wrapped).wrap) << "idempotent";
  ServerEntry back = unwrapped(wrapped);
  EXPECT_EQ(back.command, original.command);
  EXPECT_EQ(back.args, original.args);
  EXPECT_FALSE(is_wrapped(entry("/usr/bin/mcpsandbox", {"run", "--profile", "x"}))) << "no -- COMMAND";
}

}  // namespace
}  // namespace mcpsandbox
